import { createRequire } from "node:module";

let cached: string | null = null;

/** The package version, read at run time: ../package.json from daemon/ (tsx), ../../ from dist/daemon/. */
export function daemonVersion(): string {
  if (cached !== null) return cached;
  const require = createRequire(import.meta.url);
  for (const candidate of ["../package.json", "../../package.json"]) {
    try {
      const pkg = require(candidate) as { name?: unknown; version?: unknown };
      if (pkg.name === "hubpush" && typeof pkg.version === "string") {
        cached = pkg.version;
        return cached;
      }
    } catch {
      // Not at this level; try the next.
    }
  }
  cached = "0.0.0-unknown";
  return cached;
}
