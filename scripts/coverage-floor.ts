// Line-coverage floor for core/ and storage/, run by `npm test` after `tap --no-disable-coverage`.
// Reads tap's json-summary report (.tap/report/coverage-summary.json), sums lines per directory,
// prints both figures and exits non-zero when either is below the floor.
import { readFileSync } from "node:fs";
import { relative, resolve, sep } from "node:path";

const FLOOR_PCT = 85;
const DIRS = ["core", "storage"] as const;
const root = resolve(import.meta.dirname, "..");
const reportPath = resolve(root, ".tap/report/coverage-summary.json");

interface LineCount {
  total: number;
  covered: number;
}
type Summary = Record<string, { lines: LineCount }>;

let summary: Summary;
try {
  summary = JSON.parse(readFileSync(reportPath, "utf8")) as Summary;
} catch (err) {
  console.error(
    `coverage floor: cannot read ${reportPath} (${String(err)}); run \`tap --no-disable-coverage\` first`,
  );
  process.exit(1);
}

let failed = false;
for (const dir of DIRS) {
  const sum: LineCount = { total: 0, covered: 0 };
  const files: Array<[string, number]> = [];
  for (const [file, entry] of Object.entries(summary)) {
    if (file === "total" || !relative(root, file).startsWith(dir + sep)) continue;
    sum.total += entry.lines.total;
    sum.covered += entry.lines.covered;
    files.push([
      relative(root, file),
      entry.lines.total ? (100 * entry.lines.covered) / entry.lines.total : 100,
    ]);
  }
  const pct = sum.total ? (100 * sum.covered) / sum.total : 0;
  const ok = sum.total > 0 && pct >= FLOOR_PCT;
  failed ||= !ok;
  console.log(
    `coverage ${dir}/: ${pct.toFixed(2)} % lines (${sum.covered}/${sum.total}), floor ${FLOOR_PCT} % ${ok ? "ok" : "FAILED"}`,
  );
  if (!ok) {
    const lowest = files.sort((a, b) => a[1] - b[1]).slice(0, 5);
    for (const [file, p] of lowest) console.log(`  lowest: ${file} ${p.toFixed(1)} %`);
  }
}
process.exit(failed ? 1 : 0);
