import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
  readonly children?: number[];
}

interface CpuProfile {
  readonly nodes: ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: number[];
  readonly timeDeltas: number[];
}

export interface ProfileSummary {
  readonly file: string;
  readonly wallMs: number;
  /** Sampled time that was not idle: what this thread spent on the CPU (or blocked in a sync call). */
  readonly busyMs: number;
  /** Self time per function, highest first. */
  readonly topFunctions: Array<{ name: string; ms: number }>;
  /** Self time per source file (hubpush's dist files, node:internal, native, …), highest first. */
  readonly topFiles: Array<{ file: string; ms: number }>;
  /** Inclusive time of hubpush's own functions (the frame and everything it called), highest first. */
  readonly topInclusive: Array<{ name: string; ms: number }>;
}

function shortUrl(url: string): string {
  if (url === "") return "(native)";
  const dist = url.indexOf("/dist/");
  if (dist >= 0) return url.slice(dist + 1);
  const nm = url.lastIndexOf("/node_modules/");
  if (nm >= 0) return url.slice(nm + "/node_modules/".length);
  return url;
}

function top<T extends string>(m: Map<T, number>, n: number): Array<{ key: T; ms: number }> {
  return [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([key, us]) => ({ key, ms: Math.round(us / 1000) }));
}

/** Self and inclusive time per function and per file of one .cpuprofile (main thread or a worker). */
export function summarizeProfile(file: string, n = 12): ProfileSummary {
  const p = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(p.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of p.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
  });
  const fn = new Map<string, number>();
  const files = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let idle = 0;
  for (const [id, us] of self) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === "(idle)") idle += us;
    const name = `${functionName || "(anonymous)"} ${shortUrl(url)}:${lineNumber + 1}`;
    fn.set(name, (fn.get(name) ?? 0) + us);
    const f = functionName.startsWith("(") ? functionName : shortUrl(url);
    files.set(f, (files.get(f) ?? 0) + us);
    // Inclusive: charge each distinct hubpush frame on the stack once.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = byId.get(cur)?.callFrame;
      if (!frame?.url.includes("/dist/")) continue;
      const key = `${frame.functionName || "(anonymous)"} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + us);
    }
  }
  const wallUs = p.endTime - p.startTime;
  return {
    file: path.basename(file),
    wallMs: Math.round(wallUs / 1000),
    busyMs: Math.round((wallUs - idle) / 1000),
    topFunctions: top(fn, n).map(({ key, ms }) => ({ name: key, ms })),
    topFiles: top(files, n).map(({ key, ms }) => ({ file: key, ms })),
    topInclusive: top(inclusive, n).map(({ key, ms }) => ({ name: key, ms })),
  };
}

/** Summaries of every profile in `dir` (one per thread), busiest first, printed as they are read. */
export function summarizeProfiles(dir: string, label: string): ProfileSummary[] {
  const summaries = readdirSync(dir)
    .filter((f) => f.endsWith(".cpuprofile"))
    .map((f) => summarizeProfile(path.join(dir, f)))
    .sort((a, b) => b.busyMs - a.busyMs);
  for (const s of summaries) {
    console.log(`${label}: cpu profile ${s.file}: wall ${s.wallMs} ms, not idle ${s.busyMs} ms`);
    console.log(`  self time by file: ${s.topFiles.map((f) => `${f.file} ${f.ms}`).join(" · ")}`);
    console.log(`  self time by function: ${s.topFunctions.map((f) => `${f.name} ${f.ms}`).join(" · ")}`);
    console.log(`  inclusive, hubpush code: ${s.topInclusive.map((f) => `${f.name} ${f.ms}`).join(" · ")}`);
  }
  return summaries;
}
