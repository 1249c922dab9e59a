import { HubpushError, toHubpushError } from "../common/hubpush-error.js";

/**
 * Prints an error as `hubpush: <message> (<code>)` on stderr and returns its exit code. Unexpected
 * errors (not HubpushError) also print their stack, which is what a bug report needs.
 */
export function reportError(err: unknown, stderr: NodeJS.WritableStream): number {
  const error = toHubpushError(err);
  stderr.write(`hubpush: ${error.message} (${error.code})\n`);
  if (!(err instanceof HubpushError) && err instanceof Error && err.stack !== undefined) {
    stderr.write(`${err.stack}\n`);
  }
  return error.exitCode;
}
