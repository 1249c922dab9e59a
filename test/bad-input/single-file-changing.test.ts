import { randomBytes } from "node:crypto";
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import t from "tap";
import { startHoldProxy } from "../daemon/fixtures/hold-proxy.js";
import { startHarness, WRITE_TOKEN } from "../helpers/engine-harness.js";
import { downloadRemoteFile } from "../helpers/remote-repo.js";
import { committedPaths, statesOf, until } from "./harness-probes.js";

// A one-file job whose file is deleted or rewritten on its way: the same outcomes as a file of a
// folder job (files-changing.test.ts), and a file gone for good blocks the job as a gone folder does.
const LFS = 64 * 1024;

t.test(
  "a one-file job's file deleted while its LFS upload is in flight: vanished, not committed",
  async (t) => {
    const h = await startHarness();
    t.teardown(() => h.close());
    const file = path.join(h.folder, "gone.bin");
    writeFileSync(file, randomBytes(LFS));
    const gate = await startHoldProxy(h.emulator.url, (req) => req.method === "PUT");
    t.teardown(() => gate.close());
    const job = h.add("user/sf-vanish", { folder: file, endpoint: gate.url, transfer: "lfs" });
    t.equal(job.kind, "file");
    await until("the LFS PUT to be held", () => gate.held > 0);
    t.equal(h.journal.files.find(job.id, "gone.bin")?.state, "planned", "its upload is in flight");
    rmSync(file);
    gate.release();
    t.equal((await h.engine.whenSettled(job.id)).state, "done");
    t.same(statesOf(h, job.id), { "gone.bin": "vanished" });
    t.same(await committedPaths(h, "user/sf-vanish").catch(() => []), [], "nothing committed");
  },
);

t.test(
  "a one-file job's file rewritten during its LFS upload: hashed again, the new bytes land",
  async (t) => {
    const h = await startHarness();
    t.teardown(() => h.close());
    const file = path.join(h.folder, "model.bin");
    writeFileSync(file, randomBytes(LFS));
    const gate = await startHoldProxy(h.emulator.url, (req) => req.method === "PUT");
    t.teardown(() => gate.close());
    const job = h.add("user/sf-change", {
      folder: file,
      endpoint: gate.url,
      pathInRepo: "w/m.bin",
      transfer: "lfs",
    });
    await until("the LFS PUT to be held", () => gate.held > 0);
    const fresh = randomBytes(LFS + 1);
    // A new file renamed over the old one: a new inode and size, as an editor or a trainer writes.
    writeFileSync(`${file}.tmp`, fresh);
    renameSync(`${file}.tmp`, file);
    gate.release();
    t.equal((await h.engine.whenSettled(job.id)).state, "done");
    t.same(statesOf(h, job.id), { "model.bin": "committed" });
    const record = h.journal.files.find(job.id, "model.bin");
    t.ok((record?.hashCount ?? 0) >= 2, "hashed again after the change");
    const remote = await downloadRemoteFile(
      { endpoint: h.emulator.url, id: "user/sf-change", token: WRITE_TOKEN },
      "w/m.bin",
    );
    t.ok(remote.equals(readFileSync(file)), "the committed bytes are the new content");
    t.same(await committedPaths(h, "user/sf-change"), ["w/m.bin"]);
  },
);

t.test(
  "a one-file job whose file is gone when it runs again: blocked, nothing marked vanished",
  async (t) => {
    const h = await startHarness();
    t.teardown(() => h.close());
    const file = path.join(h.folder, "notes.txt");
    writeFileSync(file, "notes");
    const job = h.add("user/sf-gone", { folder: file });
    t.equal((await h.engine.whenSettled(job.id)).state, "done");
    renameSync(file, `${file}.away`);
    h.engine.retry(job.id);
    const settled = await h.engine.whenSettled(job.id);
    t.equal(settled.state, "blocked");
    t.equal(settled.blocked?.code, "ERR_FOLDER_NOT_FOUND");
    t.match(settled.blocked?.message, `${file} does not exist any more: put the file back`);
    t.same(statesOf(h, job.id), { "notes.txt": "committed" }, "the journal keeps it committed");
    t.same(await committedPaths(h, "user/sf-gone"), ["notes.txt"], "nothing deleted remotely");
    renameSync(`${file}.away`, file);
    h.engine.retry(job.id);
    t.equal((await h.engine.whenSettled(job.id)).state, "done", "back again: the job finishes");
  },
);
