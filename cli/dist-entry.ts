import path from "node:path";

/**
 * The built CLI (dist/cli/main.js) for a given entry: itself once built; from the sources
 * (cli/main.ts under tsx) the file `npm run build` writes, which may not exist yet.
 */
export function distEntry(entry: string): { path: string; fromSources: boolean } {
  if (path.extname(entry) !== ".ts") return { path: entry, fromSources: false };
  const root = path.dirname(path.dirname(entry));
  return { path: path.join(root, "dist", "cli", "main.js"), fromSources: true };
}
