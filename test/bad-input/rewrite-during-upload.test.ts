import { randomBytes } from "node:crypto";
import { readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import t from "tap";
import { startHoldProxy } from "../daemon/fixtures/hold-proxy.js";
import { startHarness, WRITE_TOKEN } from "../helpers/engine-harness.js";
import { downloadRemoteFile } from "../helpers/remote-repo.js";
import { committedPaths, statesOf, until } from "./harness-probes.js";

// The send-time stat guard (issue 16 item 6) end to end: LFS bytes are not hashed again while they
// are sent, so a file rewritten in place during its upload, same size and its mtime put back, must
// be caught by its ctime alone, go back to hashing, and go up with its new content: nothing stale
// is stored under the old oid's commit, nothing is lost.
const MiB = 1024 * 1024;
const SIZE = 24 * MiB; // far more than the sockets between the client and the held proxy take
const FIXED_TIME = 1_700_000_000; // whole seconds: utimes puts this exact mtime back

t.test(
  "a same-size rewrite with its mtime put back, mid-upload, is caught and the new content committed",
  async (t) => {
    // One PUT for the whole object (no multipart), so it is still being read when the rewrite lands.
    const h = await startHarness({ emulator: { multipartThresholdBytes: 64 * MiB } });
    t.teardown(() => h.close());
    const file = path.join(h.folder, "big.bin");
    writeFileSync(path.join(h.folder, "keep.txt"), "keep");
    writeFileSync(file, randomBytes(SIZE));
    utimesSync(file, FIXED_TIME, FIXED_TIME);
    // Older than the job by more than the racy margin (core/lfs/send-guard.ts): no send-time re-hash,
    // so only the stat guard can see the rewrite.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const gate = await startHoldProxy(h.emulator.url, (req) => req.method === "PUT");
    t.teardown(() => gate.close());
    const job = h.add("user/rewrite", { endpoint: gate.url, transfer: "lfs" });
    await until("the LFS PUT to be held", () => gate.held > 0);
    const before = statSync(file, { bigint: true });
    const fresh = randomBytes(SIZE);
    writeFileSync(file, fresh); // same inode, same size, other bytes
    utimesSync(file, FIXED_TIME, FIXED_TIME);
    const after = statSync(file, { bigint: true });
    t.equal(after.mtimeNs, before.mtimeNs, "the mtime is the one hashed");
    t.equal(after.size, before.size, "so is the size");
    t.equal(after.ino, before.ino, "and the inode");
    t.not(after.ctimeNs, before.ctimeNs, "only ctime tells the rewrite");
    gate.release();
    t.equal((await h.engine.whenSettled(job.id)).state, "done");
    t.same(statesOf(h, job.id), { "keep.txt": "committed", "big.bin": "committed" });
    t.same(await committedPaths(h, "user/rewrite"), ["big.bin", "keep.txt"]);
    const remote = await downloadRemoteFile(
      { endpoint: h.emulator.url, id: "user/rewrite", token: WRITE_TOKEN },
      "big.bin",
    );
    t.ok(remote.equals(fresh), "the committed bytes are the new content");
    t.ok(remote.equals(readFileSync(file)), "byte for byte the file on disk");
    t.ok((h.journal.files.find(job.id, "big.bin")?.hashCount ?? 0) >= 2, "it was hashed again");
  },
);
