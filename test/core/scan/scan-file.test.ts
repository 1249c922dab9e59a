import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import t from "tap";
import type { ScanEntry } from "../../../core/scan/scan-entry.js";
import { scanFile } from "../../../core/scan/scan-file.js";

const root = mkdtempSync(path.join(tmpdir(), "hubpush-scan-file-"));
t.teardown(() => rmSync(root, { recursive: true, force: true }));

async function collect(file: string, excludeAbsolute: string[] = []): Promise<ScanEntry[]> {
  const out: ScanEntry[] = [];
  for await (const entry of scanFile(file, { excludeAbsolute })) out.push(entry);
  return out;
}

t.test("one entry, named after the file, with its stat; a symlink gives the target's stat", async (t) => {
  const file = path.join(root, "model.bin");
  writeFileSync(file, "12345");
  const link = path.join(root, "link.bin");
  symlinkSync(file, link);
  const inode = String(statSync(file).ino);
  t.match(await collect(file), [{ kind: "file", file: { path: "model.bin", size: 5, inode } }]);
  t.match(await collect(link), [{ kind: "file", file: { path: "link.bin", size: 5, inode } }]);
});

t.test("gone, or no longer a regular file: the job stops (thrown), nothing is yielded", async (t) => {
  const dir = path.join(root, "now-a-dir");
  mkdirSync(dir);
  const fifo = path.join(root, "now-a-fifo");
  execFileSync("mkfifo", [fifo]);
  const dangling = path.join(root, "dangling");
  symlinkSync(path.join(root, "nowhere"), dangling);
  await t.rejects(collect(path.join(root, "missing")), { code: "ERR_FOLDER_NOT_FOUND" });
  await t.rejects(collect(dangling), { code: "ERR_FOLDER_NOT_FOUND" });
  await t.rejects(collect(dir), { code: "ERR_PATH_NOT_UPLOADABLE", message: /is not one now/ });
  await t.rejects(collect(fifo), { code: "ERR_PATH_NOT_UPLOADABLE" });
});

t.test("hubpush's own state is never uploaded, even through a symlink", async (t) => {
  const state = path.join(root, "state");
  mkdirSync(state);
  const journal = path.join(state, "journal.sqlite");
  writeFileSync(journal, "sqlite");
  const link = path.join(root, "journal-link");
  symlinkSync(journal, link);
  await t.rejects(collect(journal, [state]), {
    code: "ERR_PATH_NOT_UPLOADABLE",
    message: /hubpush's own state/,
  });
  await t.rejects(collect(link, [state]), { code: "ERR_PATH_NOT_UPLOADABLE" });
  t.equal((await collect(journal, [path.join(root, "elsewhere")])).length, 1, "elsewhere: uploaded");
});
