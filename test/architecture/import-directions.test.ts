import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import t from "tap";

/**
 * design.md §2: imports only point down. cli → daemon, core, storage, emulator; daemon → core,
 * storage; core → storage; storage → nothing of ours; emulator → nothing of ours. common/ (the error
 * catalogue) is a leaf every layer but the emulator may use. xet/ (Xet byte formats and hashes) is a
 * pure leaf that core/, the emulator and the CLI may import; it imports nothing of ours (npm packages
 * only). No cycles between files either.
 * lib/ (the public library API, issue 14) sits beside cli/ at the top: it may import what the CLI
 * may, except the CLI itself (both are hosts of the same engine); no layer imports lib/.
 */
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const LAYERS = ["cli", "lib", "daemon", "core", "storage", "emulator", "xet", "common"] as const;
type Layer = (typeof LAYERS)[number];

const ALLOWED: Record<Layer, readonly Layer[]> = {
  cli: ["daemon", "core", "storage", "emulator", "xet", "common"],
  lib: ["daemon", "core", "storage", "emulator", "xet", "common"],
  daemon: ["core", "storage", "common"],
  core: ["storage", "xet", "common"],
  storage: ["common"],
  emulator: ["xet"],
  xet: [],
  common: [],
};

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (/\.(ts|mts)$/.test(entry.name) && !entry.name.endsWith(".d.ts")) out.push(full);
  }
  return out;
}

/** Every relative module specifier of a file: static imports, re-exports and dynamic import(). */
export function relativeImports(source: string): string[] {
  const specifiers: string[] = [];
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?(?:[^'"`;]*?\sfrom\s+)?["']([^"']+)["']/g,
    /\bimport\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const re of patterns) {
    for (const m of source.matchAll(re)) {
      const spec = m[1];
      if (spec?.startsWith(".")) specifiers.push(spec);
    }
  }
  return specifiers;
}

function layerOf(file: string): Layer | null {
  const first = path.relative(ROOT, file).split(path.sep)[0];
  return (LAYERS as readonly string[]).includes(first ?? "") ? (first as Layer) : null;
}

function resolveImport(from: string, spec: string): string {
  const target = path.resolve(path.dirname(from), spec);
  return target.replace(/\.js$/, ".ts");
}

interface Edge {
  readonly from: string;
  readonly to: string;
}

function collectEdges(): Edge[] {
  const edges: Edge[] = [];
  for (const layer of LAYERS) {
    for (const file of sourceFiles(path.join(ROOT, layer))) {
      for (const spec of relativeImports(readFileSync(file, "utf8"))) {
        edges.push({ from: file, to: resolveImport(file, spec) });
      }
    }
  }
  return edges;
}

export function forbiddenEdges(edges: readonly Edge[]): string[] {
  const problems: string[] = [];
  for (const { from, to } of edges) {
    const a = layerOf(from);
    const b = layerOf(to);
    const rel = (f: string): string => path.relative(ROOT, f);
    if (a === null) continue;
    if (b === null) {
      problems.push(`${rel(from)} imports ${rel(to)}, outside the source layers`);
    } else if (a !== b && !ALLOWED[a].includes(b)) {
      problems.push(
        `${rel(from)} (${a}) imports ${rel(to)} (${b}): ${a} may import only ${ALLOWED[a].join(", ") || "nothing of ours"}`,
      );
    }
  }
  return problems;
}

export function findCycle(edges: readonly Edge[]): string[] | null {
  const graph = new Map<string, string[]>();
  for (const { from, to } of edges) graph.set(from, [...(graph.get(from) ?? []), to]);
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (node: string): string[] | null => {
    state.set(node, "visiting");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === "visiting") return [...stack.slice(stack.indexOf(next)), next];
      if (!state.has(next)) {
        const found = visit(next);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(node, "done");
    return null;
  };
  for (const node of graph.keys()) {
    if (!state.has(node)) {
      const found = visit(node);
      if (found) return found.map((f) => path.relative(ROOT, f));
    }
  }
  return null;
}

t.test("imports follow the layer directions of design.md §2", async (t) => {
  const edges = collectEdges();
  t.ok(edges.length > 20, "the scan found the project's imports");
  t.same(forbiddenEdges(edges), [], "no forbidden edge");
});

t.test("no import cycle between source files", async (t) => {
  t.equal(findCycle(collectEdges())?.join(" → ") ?? null, null);
});

t.test("the checker itself catches what it must", async (t) => {
  const f = (p: string): string => path.join(ROOT, p);
  t.same(
    relativeImports(
      `import { a } from "./a.js";\nimport type { B } from "../b.js";\nexport * from "./c.js";\nconst d = await import("./d.js");\nimport x from "undici";`,
    ),
    ["./a.js", "../b.js", "./c.js", "./d.js"],
  );
  const bad = forbiddenEdges([
    { from: f("storage/x.ts"), to: f("core/y.ts") },
    { from: f("core/x.ts"), to: f("daemon/y.ts") },
    { from: f("core/x.ts"), to: f("cli/y.ts") },
    { from: f("emulator/x.ts"), to: f("common/y.ts") },
    { from: f("daemon/x.ts"), to: f("core/y.ts") },
    { from: f("xet/x.ts"), to: f("common/y.ts") },
    { from: f("xet/x.ts"), to: f("core/y.ts") },
    { from: f("emulator/x.ts"), to: f("xet/y.ts") },
    { from: f("core/x.ts"), to: f("xet/y.ts") },
    { from: f("lib/x.ts"), to: f("cli/y.ts") },
    { from: f("cli/x.ts"), to: f("lib/y.ts") },
    { from: f("daemon/x.ts"), to: f("lib/y.ts") },
    { from: f("lib/x.ts"), to: f("core/y.ts") },
  ]);
  t.equal(bad.length, 9, "nine forbidden edges named");
  t.match(bad[0], /storage\/x\.ts \(storage\) imports core\/y\.ts \(core\)/);
  t.same(
    findCycle([
      { from: f("core/a.ts"), to: f("core/b.ts") },
      { from: f("core/b.ts"), to: f("core/a.ts") },
    ]),
    ["core/a.ts", "core/b.ts", "core/a.ts"],
  );
});
