#!/usr/bin/env -S node --max-old-space-size=192 --max-semi-space-size=8
// The flags above are common/heap-limits.ts NODE_HEAP_FLAGS (a test checks they agree).
import { fileURLToPath } from "node:url";
import type { CliIo } from "./cli-io.js";
import { runProgram } from "./run-program.js";

const io: CliIo = {
  env: process.env,
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
  entry: fileURLToPath(import.meta.url),
  execPath: process.execPath,
  execArgv: process.execArgv,
  setExitCode(code) {
    process.exitCode = code;
  },
};

const code = await runProgram(io, process.argv.slice(2));
// A command may already have set a more specific code (e.g. upload's 1 for failed files).
if (code !== 0 || process.exitCode === undefined) process.exitCode = code;
