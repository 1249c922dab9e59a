import t from "tap";
import { isDefaultIgnored } from "../../../core/scan/path-filter.js";

// The scan asks this of every entry it walks; these are the boundaries a substring search can get wrong.
t.test("default ignores: .git and .cache/huggingface as whole segments, at any depth", async (t) => {
  const ignored = [
    ".git",
    ".git/config",
    "a/.git",
    "a/b/.git/objects/x",
    ".cache/huggingface",
    ".cache/huggingface/upload/x.lock",
    "a/.cache/huggingface",
    "x/.git.y/.git",
    "x.git/.git",
  ];
  const kept = [
    ".gitignore",
    ".github/workflows/ci.yml",
    "a/x.git",
    "a/.gitx/b",
    "git",
    ".cache",
    ".cache/hugging",
    ".cache/huggingfaces",
    "a.cache/huggingface",
    "a/.cache/b/huggingface",
    "huggingface/.cache",
    "a/.cache/huggingface-x",
  ];
  for (const p of ignored) t.equal(isDefaultIgnored(p), true, p);
  for (const p of kept) t.equal(isDefaultIgnored(p), false, p);
});
