import type { JobStatusJson } from "../../daemon/job-status-json.js";
import { formatBytes } from "./format-bytes.js";
import type { Style } from "./style.js";

/**
 * The job's Xet figures (docs/xet.md "Progress"), or nothing when it sent nothing through Xet: bytes
 * deduplicated vs sent, xorbs, dedup ratio; the LFS-fallback note in yellow.
 */
export function xetLines(job: JobStatusJson, style: Style): string[] {
  const x = job.xet;
  if (x === null || x === undefined) return [];
  const lines: string[] = [];
  if (x.files > 0) {
    lines.push(
      `Xet: ${x.files} file${x.files === 1 ? "" : "s"} · deduplicated ${formatBytes(x.bytesDeduplicated)} of ${formatBytes(
        x.bytesChunked,
      )} (ratio ${x.dedupRatio.toFixed(2)}) · sent ${formatBytes(x.bytesSent)} · xorbs ${x.xorbsStored}`,
    );
  }
  if (x.note !== null) lines.push(style.yellow(`Xet: ${x.note}`));
  return lines;
}
