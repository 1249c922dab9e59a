import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const RESULTS_DIR = fileURLToPath(new URL("../results/", import.meta.url));

/** The 1, 5 and 15 minute load averages, rounded: the machine is shared, read ratios with them. */
export function load(): number[] {
  return loadavg().map((x) => Math.round(x * 100) / 100);
}

function gitHead(): string {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], {
      cwd: RESULTS_DIR,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return "unknown";
  }
}

/** Writes bench/results/<name>.json with the machine's description around the figures. */
export function writeResult(name: string, cli: string, figures: Record<string, unknown>): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}.json`);
  const body = {
    bench: name,
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    checkoutHead: gitHead(),
    cli,
    ...figures,
  };
  writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`);
  console.log(`results written to ${file}`);
  return file;
}

export const seconds = (s: number): string => `${s.toFixed(1)} s`;
export const ratioText = (r: number, target: string): string =>
  `${r.toFixed(2)} (target ${target}${meets(r, target) ? ", met" : ", NOT met"})`;

/** "≤ 1.2" / "≥ 0.85" style targets. */
export function meets(value: number, target: string): boolean {
  const m = target.match(/^([≤≥])\s*([\d.]+)/);
  if (!m) return false;
  const bound = Number(m[2]);
  return m[1] === "≤" ? value <= bound : value >= bound;
}
