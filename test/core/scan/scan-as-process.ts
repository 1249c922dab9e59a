/**
 * Test helper run as a child process (possibly under another uid): scans argv[2] (or checks it
 * with argv[3] === "check") and prints each entry, or the error, as one JSON line.
 */

import { HubpushError } from "../../../common/hubpush-error.js";
import { checkFolder, scanFolder } from "../../../core/scan/scan-folder.js";

const [folder, mode] = process.argv.slice(2);
if (folder === undefined) throw new Error("usage: scan-as-process.ts <folder> [check]");
try {
  if (mode === "check") {
    console.log(JSON.stringify({ kind: "checked", path: await checkFolder(folder) }));
  } else {
    for await (const entry of scanFolder(folder)) console.log(JSON.stringify(entry));
  }
} catch (err) {
  if (!(err instanceof HubpushError)) throw err;
  console.log(JSON.stringify({ kind: "error", code: err.code, message: err.message }));
}
