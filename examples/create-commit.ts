/**
 * One commit with all three operation kinds (create_commit), and preuploadLfsFiles for data made in
 * memory. Run: `npx tsx examples/create-commit.ts`.
 */
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import {
  CommitOperationAdd,
  CommitOperationCopy,
  CommitOperationDelete,
  createCommit,
  preuploadLfsFiles,
  uploadFile,
} from "hubpush";

const repoId = "alice/ops-demo";
await uploadFile({ pathOrFileobj: randomBytes(3 * 1024 * 1024), pathInRepo: "weights/v1.bin", repoId });
await uploadFile({ pathOrFileobj: Buffer.from("old\n"), pathInRepo: "old/notes.txt", repoId });

// Made in memory, uploaded now; the commit later only references it.
const shard = new CommitOperationAdd({
  pathInRepo: "data/shard-0.bin",
  pathOrFileobj: randomBytes(2 * 1024 * 1024),
});
await preuploadLfsFiles(repoId, [shard]);

const commit = await createCommit({
  repoId,
  commitMessage: "Reorganize",
  commitDescription: "add, delete and copy in one commit",
  operations: [
    shard,
    new CommitOperationAdd({ pathInRepo: "README.md", pathOrFileobj: Readable.from(["# Ops demo\n"]) }),
    new CommitOperationDelete({ pathInRepo: "old/" }),
    // Copied by its LFS oid: nothing is uploaded again.
    new CommitOperationCopy({ srcPathInRepo: "weights/v1.bin", pathInRepo: "weights/latest.bin" }),
  ],
});
console.log(`committed ${commit.url}`);
