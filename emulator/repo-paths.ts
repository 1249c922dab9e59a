import type { EmulatorState } from "./emulator-state.js";
import { HubError } from "./hub-error.js";
import type { TreeView } from "./repo-store.js";

function hasControlChar(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/**
 * Refuses a path the Hub (and git) would refuse: empty, leading or trailing `/`, empty, `.` or `..`
 * components, a `.git` component, control characters. Returns the path unchanged.
 */
export function validateRepoPath(path: unknown, what = "path"): string {
  if (typeof path !== "string" || path === "") {
    throw new HubError(400, "InvalidPath", `Invalid ${what}: expected a non-empty string.`);
  }
  const problem = path.startsWith("/")
    ? "must not start with '/'"
    : path.endsWith("/")
      ? "must not end with '/'"
      : hasControlChar(path)
        ? "must not contain control characters"
        : path.split("/").some((c) => c === "" || c === "." || c === "..")
          ? "must not contain empty, '.' or '..' components"
          : path.split("/").some((c) => c === ".git")
            ? "must not contain a '.git' component"
            : undefined;
  if (problem !== undefined)
    throw new HubError(400, "InvalidPath", `Invalid ${what} "${path}": it ${problem}.`);
  return path;
}

/** Text of a (small) file at a revision, or undefined when absent. */
export function readRepoText(state: EmulatorState, view: TreeView, path: string): string | undefined {
  const entry = state.tree.get(view, path);
  return entry ? state.objects.readObject(entry.sha256).toString("utf8") : undefined;
}
