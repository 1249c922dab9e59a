import picomatch from "picomatch";

/**
 * The remote paths `--delete GLOB` would delete: files under the path in the repo whose path
 * relative to it matches a glob (picomatch, `dot: true`; a glob without `/` also matches the file
 * name at any depth, as --include/--exclude), except the paths the job uploads and `.gitattributes`
 * files (the Hub's LFS rules; `upload_folder`'s delete_patterns never deletes them either).
 */
export function deleteMatches(
  remotePaths: Iterable<string>,
  patterns: readonly string[],
  pathInRepo: string,
  uploaded: ReadonlySet<string>,
): string[] {
  if (patterns.length === 0) return [];
  const tests = patterns.map((pattern) => {
    const isMatch = picomatch(pattern, { dot: true });
    const base = !pattern.includes("/");
    return (rel: string) => isMatch(rel) || (base && isMatch(rel.slice(rel.lastIndexOf("/") + 1)));
  });
  const prefix = pathInRepo === "" ? "" : `${pathInRepo}/`;
  const out: string[] = [];
  for (const path of remotePaths) {
    if (!path.startsWith(prefix) || uploaded.has(path)) continue;
    const rel = path.slice(prefix.length);
    if (rel === ".gitattributes" || rel.endsWith("/.gitattributes")) continue;
    if (tests.some((test) => test(rel))) out.push(path);
  }
  return out.sort();
}
