// Module load hook used by the tests (see scripts/ts-lines.mjs). tsx compiles TypeScript with
// esbuild's minifyWhitespace (hard-coded), which puts a whole module on one generated line; V8
// coverage is then mapped back line by line, so every file reported as "1 line". Compiling .ts
// here without minification keeps generated lines close to the source, so tap's built-in coverage
// (V8 + source maps) gives true per-line figures. tsx still does module resolution.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { transform } from "esbuild";

const compilerOptions = { verbatimModuleSyntax: true, useDefineForClassFields: true };

export async function load(url, context, nextLoad) {
  if (!url.startsWith("file:") || url.includes("/node_modules/")) return nextLoad(url, context);
  const { pathname } = new URL(url);
  if (!pathname.endsWith(".ts") || pathname.endsWith(".d.ts")) return nextLoad(url, context);
  const path = fileURLToPath(url);
  const out = await transform(await readFile(path, "utf8"), {
    loader: "ts",
    format: "esm",
    target: `node${process.versions.node}`,
    sourcemap: "inline",
    sourcesContent: true,
    sourcefile: path,
    tsconfigRaw: { compilerOptions },
  });
  return { format: "module", source: out.code, shortCircuit: true };
}
