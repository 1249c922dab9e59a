import { chmod, realpath, symlink } from "node:fs/promises";
import { join } from "node:path";
import t from "tap";
import { HubpushError } from "../../../common/hubpush-error.js";
import { checkFolder, scanFolder } from "../../../core/scan/scan-folder.js";
import { runScanProcess } from "./run-scan-process.js";

t.test("a usable folder resolves to its real absolute path", async (t) => {
  const dir = t.testdir({ data: { "a.txt": "" } });
  await symlink(join(dir, "data"), join(dir, "alias"));
  t.equal(await checkFolder(join(dir, "alias")), await realpath(join(dir, "data")));
  const relative = join(dir, "data").slice(process.cwd().length + 1);
  t.equal(await checkFolder(relative), await realpath(join(dir, "data")), "a relative path is resolved");
});

t.test("a missing folder: ERR_FOLDER_NOT_FOUND naming the path", async (t) => {
  const missing = join(t.testdir({}), "nope");
  await t.rejects(checkFolder(missing), {
    name: "HubpushError",
    code: "ERR_FOLDER_NOT_FOUND",
    message: `folder ${missing} does not exist; check the path and try again`,
  });
  const scan = scanFolder(missing);
  await t.rejects(scan.next(), { code: "ERR_FOLDER_NOT_FOUND" }, "scanFolder checks the folder first");
});

t.test("a file instead of a folder: ERR_FOLDER_NOT_DIRECTORY naming the path", async (t) => {
  const file = join(t.testdir({ "model.bin": "x" }), "model.bin");
  const err = await checkFolder(file).catch((e: unknown) => e);
  t.ok(err instanceof HubpushError);
  t.equal((err as HubpushError).code, "ERR_FOLDER_NOT_DIRECTORY");
  t.equal(
    (err as HubpushError).message,
    `${file} is not a folder; give the path of the folder that holds the files to upload`,
  );
  t.same((err as HubpushError).details, { path: file });
});

t.test("an unreadable folder: ERR_FOLDER_UNREADABLE naming the path", async (t) => {
  const dir = join(t.testdir({ locked: { "a.txt": "" } }), "locked");
  await chmod(dir, 0o000);
  const result = await runScanProcess(dir, "check").finally(() => chmod(dir, 0o755));
  if ("unavailable" in result) {
    t.pass("permission case", {
      skip: `running as root and ${result.unavailable}: permission bits cannot be tested`,
    });
    return;
  }
  if (process.getuid?.() === 0) t.comment("running as root: the check ran as uid nobody");
  t.same(result.entries, [
    {
      kind: "error",
      code: "ERR_FOLDER_UNREADABLE",
      message: `cannot read folder ${dir} (permission denied); grant read and execute permission (chmod u+rx) or run hubpush as its owner`,
    },
  ]);
});
