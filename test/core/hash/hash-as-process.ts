/** Test helper run as a child process (possibly under another uid): prints hashFile's outcome as JSON. */
import { hashFile } from "../../../core/hash/hash-file.js";

const path = process.argv[2];
if (path === undefined) throw new Error("usage: hash-as-process.ts <file>");
console.log(JSON.stringify(await hashFile(path)));
