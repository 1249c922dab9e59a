import { createRequire } from "node:module";

/**
 * hubpush's version, read from package.json at runtime: `../package.json` from the sources,
 * `../../package.json` from the build in dist/ (a JSON import would pin one layout).
 */
function readVersion(): string {
  const require = createRequire(import.meta.url);
  for (const candidate of ["../package.json", "../../package.json"]) {
    try {
      const pkg: unknown = require(candidate);
      if (typeof pkg === "object" && pkg !== null && "name" in pkg && pkg.name === "hubpush") {
        if ("version" in pkg && typeof pkg.version === "string") return pkg.version;
      }
    } catch {
      // Not this layout; try the next one.
    }
  }
  return "0.0.0";
}

export const HUBPUSH_VERSION: string = readVersion();
