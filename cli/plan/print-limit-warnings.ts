import type { LimitWarning } from "../../core/plan/repo-limits.js";

/** Limit warnings on stderr, one per line, the same for `plan` and `upload`. */
export function printLimitWarnings(stderr: NodeJS.WritableStream, warnings: readonly LimitWarning[]): void {
  for (const w of warnings) stderr.write(`hubpush: warning: ${w.message} (limit: ${w.kind})\n`);
}
