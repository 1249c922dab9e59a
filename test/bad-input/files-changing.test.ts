import { randomBytes } from "node:crypto";
import { appendFileSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import t from "tap";
import { parseJobInput } from "../../core/job-input.js";
import { scanFolder } from "../../core/scan/scan-folder.js";
import type { ScannedFile } from "../../storage/journal.js";
import { startHoldProxy } from "../daemon/fixtures/hold-proxy.js";
import { startHarness, WRITE_TOKEN } from "../helpers/engine-harness.js";
import { writeTree } from "../helpers/folder-tree.js";
import { downloadRemoteFile } from "../helpers/remote-repo.js";
import { committedPaths, statesOf, until } from "./harness-probes.js";

// Files deleted or still being written at each stage of their way: a deleted file ends `vanished`
// (never `failed`, never committed), a growing one waits and goes up once it is stable, and the
// other files of the job are committed either way.
const LFS = 64 * 1024; // *.bin files travel as LFS (the Hub's default .gitattributes)

function tree(): Record<string, string | Buffer> {
  return {
    "keep.txt": "keep",
    "keep.bin": randomBytes(LFS),
    "gone.txt": "bye",
    "gone.bin": randomBytes(LFS),
  };
}

t.test("deleted after the scan recorded it, before hashing: vanished", async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  writeTree(h.folder, tree());
  // Record the scan with no engine running, delete, then start: what a restart after the deletion sees.
  await h.engine.stop(1_000);
  const { spec, options } = parseJobInput(
    { folder: h.folder, repo: "user/v-before-hash", endpoint: h.emulator.url },
    { endpoint: h.emulator.url, cwd: h.root },
  );
  const { job } = h.journal.jobs.upsert(spec, options);
  const scanned: ScannedFile[] = [];
  for await (const entry of scanFolder(h.folder)) if (entry.kind === "file") scanned.push(entry.file);
  h.journal.scan.upsertFiles(job.id, h.journal.scan.begin(job.id), scanned);
  t.equal(h.journal.jobs.counts(job.id).byState.scanned.files, 4, "four files wait for hashing");
  rmSync(path.join(h.folder, "gone.txt"));
  rmSync(path.join(h.folder, "gone.bin"));
  await h.restart();
  t.equal((await h.engine.whenSettled(job.id)).state, "done");
  t.same(statesOf(h, job.id), {
    "keep.txt": "committed",
    "keep.bin": "committed",
    "gone.txt": "vanished",
    "gone.bin": "vanished",
  });
  t.same(await committedPaths(h, "user/v-before-hash"), ["keep.bin", "keep.txt"]);
});

t.test("deleted after hashing, while the plan (preupload) is in flight: vanished", async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  writeTree(h.folder, tree());
  const gate = await startHoldProxy(h.emulator.url, (req) => req.url?.includes("/preupload/") === true);
  t.teardown(() => gate.close());
  const job = h.add("user/v-after-hash", { endpoint: gate.url });
  await until("the preupload to be held", () => gate.held > 0);
  t.equal(h.journal.jobs.counts(job.id).byState.scanned.files, 0, "every file is hashed");
  rmSync(path.join(h.folder, "gone.txt"));
  rmSync(path.join(h.folder, "gone.bin"));
  gate.release();
  t.equal((await h.engine.whenSettled(job.id)).state, "done");
  const states = statesOf(h, job.id);
  t.match(states, {
    "keep.txt": "committed",
    "keep.bin": "committed",
    "gone.txt": "vanished",
    "gone.bin": "vanished",
  });
  t.same(await committedPaths(h, "user/v-after-hash"), ["keep.bin", "keep.txt"]);
});

t.test("deleted while its LFS upload is in flight: vanished, not committed", async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  writeTree(h.folder, { "keep.txt": "keep", "gone.bin": randomBytes(LFS) });
  const gate = await startHoldProxy(h.emulator.url, (req) => req.method === "PUT");
  t.teardown(() => gate.close());
  // The held request is an LFS PUT: this case pins --transfer lfs (the emulator offers Xet).
  const job = h.add("user/v-upload", { endpoint: gate.url, transfer: "lfs" });
  await until("the LFS PUT to be held", () => gate.held > 0);
  t.equal(h.journal.files.find(job.id, "gone.bin")?.state, "planned", "its upload is in flight");
  rmSync(path.join(h.folder, "gone.bin"));
  gate.release();
  t.equal((await h.engine.whenSettled(job.id)).state, "done");
  t.same(statesOf(h, job.id), { "keep.txt": "committed", "gone.bin": "vanished" });
  t.same(
    await committedPaths(h, "user/v-upload"),
    ["keep.txt"],
    "the object may be stored, it is not committed",
  );
});

t.test("deleted while waiting for its commit: vanished; the others are committed", async (t) => {
  const h = await startHarness();
  t.teardown(() => h.close());
  writeTree(h.folder, tree());
  // Commits are refused (transient) until the fault is lifted: the files wait in `uploaded`.
  h.emulator.setFaults("route=commit,kind=status,status=503");
  const job = h.add("user/v-commit");
  await until("four files ready to commit", () => h.journal.jobs.counts(job.id).byState.uploaded.files === 4);
  // Paused, so no commit attempt is in flight: one that read the files before they were deleted
  // may land with that content, which is a deletion after the commit, not this case.
  h.engine.pause(job.id);
  await until("the paused job to stop", () => !h.engine.progress(job.id).running);
  rmSync(path.join(h.folder, "gone.txt"));
  rmSync(path.join(h.folder, "gone.bin"));
  h.emulator.setFaults("");
  h.engine.resume(job.id);
  t.equal((await h.engine.whenSettled(job.id)).state, "done");
  t.same(statesOf(h, job.id), {
    "keep.txt": "committed",
    "keep.bin": "committed",
    "gone.txt": "vanished",
    "gone.bin": "vanished",
  });
  t.same(await committedPaths(h, "user/v-commit"), ["keep.bin", "keep.txt"]);
  t.ok(
    h.journal.files.list(job.id, { state: "failed" }).length === 0,
    "a deleted file is not reported as a failure",
  );
});

t.test(
  "a file growing while it is hashed waits (ERR_FILE_CHANGED) and goes up whole once stable",
  async (t) => {
    const h = await startHarness();
    t.teardown(() => h.close());
    const growing = path.join(h.folder, "growing.bin");
    writeTree(h.folder, { "keep.txt": "keep", "growing.bin": randomBytes(8 * 1024 * 1024) });
    // Appends every 2 ms: any read of the 8 MiB file sees it grow or its stat move.
    const writer = setInterval(() => appendFileSync(growing, randomBytes(4096)), 2);
    t.teardown(() => clearInterval(writer));
    const job = h.add("user/growing");
    await until("the growth to be noticed", () => {
      const file = h.journal.files.find(job.id, "growing.bin");
      return file?.lastError?.code === "ERR_FILE_CHANGED" && file.state === "scanned";
    });
    const noticed = h.journal.files.find(job.id, "growing.bin");
    t.match(noticed?.lastError?.message, "growing.bin");
    t.ok((noticed?.attempts ?? 0) >= 1, "it waits with backoff, it is not failed");
    clearInterval(writer);
    t.equal((await h.engine.whenSettled(job.id)).state, "done");
    t.same(statesOf(h, job.id), { "keep.txt": "committed", "growing.bin": "committed" });
    const remote = await downloadRemoteFile(
      { endpoint: h.emulator.url, id: "user/growing", token: WRITE_TOKEN },
      "growing.bin",
    );
    t.ok(remote.equals(readFileSync(growing)), "the committed bytes are the final content");
  },
);
