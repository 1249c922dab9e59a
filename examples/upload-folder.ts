/**
 * Upload a folder in one commit (upload_folder), leaving out some files, then again with delete
 * patterns that clean the remote folder, then a large folder in many resumable commits
 * (upload_large_folder). Run: `npx tsx examples/upload-folder.ts`.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { HubpushError, uploadFolder, uploadLargeFolder } from "hubpush";

const folder = mkdtempSync(path.join(tmpdir(), "example-"));
mkdirSync(path.join(folder, "checkpoints"));
writeFileSync(path.join(folder, "README.md"), "# My dataset\n");
writeFileSync(path.join(folder, "train.csv"), "a,b\n1,2\n");
writeFileSync(path.join(folder, "checkpoints", "step-1.bin"), Buffer.alloc(1024 * 1024, 1));
writeFileSync(path.join(folder, "debug.log"), "not for the Hub\n");

try {
  const result = await uploadFolder({
    folderPath: folder,
    repoId: "alice/my-dataset",
    repoType: "dataset",
    pathInRepo: "data",
    ignorePatterns: ["*.log", "checkpoints/"],
    commitMessage: "Upload the data",
    onProgress: (status) =>
      console.log(`${status.files.committed.files}/${status.total.files} files committed`),
  });
  console.log(`one commit: ${result.commits[0]?.url} (${result.counts.committed.files} files)`);
} catch (err) {
  // Every failure is a HubpushError with a stable code (docs/errors.md); the work done is kept.
  if (err instanceof HubpushError) console.error(`${err.code}: ${err.message}`);
  throw err;
}

// delete_patterns: remote files under data/ matching *.csv go in the same commit, except the ones
// this upload sends (train.csv is replaced, old csv files disappear).
writeFileSync(path.join(folder, "train.csv"), "a,b\n1,2\n3,4\n");
const cleaned = await uploadFolder({
  folderPath: folder,
  repoId: "alice/my-dataset",
  repoType: "dataset",
  pathInRepo: "data",
  ignorePatterns: ["*.log", "checkpoints/"],
  deletePatterns: ["*.csv"],
  commitMessage: "Replace the CSV files",
});
console.log(`cleaned in one commit: ${cleaned.commits[0]?.url}`);

// Many files: commits go as batches are ready; calling again after a crash resumes from the journal.
for (let i = 0; i < 300; i++) writeFileSync(path.join(folder, `shard-${i}.txt`), `shard ${i}\n`);
const large = await uploadLargeFolder({
  folderPath: folder,
  repoId: "alice/my-big-dataset",
  repoType: "dataset",
});
console.log(`${large.commits.length} commits, ${large.counts.committed.files} files`);
