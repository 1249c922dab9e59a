import picomatch from "picomatch";
import type { RepoType } from "./metadata-db.js";

const LFS_ATTRS = "filter=lfs diff=lfs merge=lfs -text";

const MODEL_PATTERNS = [
  "*.7z",
  "*.arrow",
  "*.bin",
  "*.bz2",
  "*.ckpt",
  "*.ftz",
  "*.gz",
  "*.h5",
  "*.joblib",
  "*.lfs.*",
  "*.mlmodel",
  "*.model",
  "*.msgpack",
  "*.npy",
  "*.npz",
  "*.onnx",
  "*.ot",
  "*.parquet",
  "*.pb",
  "*.pickle",
  "*.pkl",
  "*.pt",
  "*.pth",
  "*.rar",
  "*.safetensors",
  "saved_model/**/*",
  "*.tar.*",
  "*.tar",
  "*.tflite",
  "*.tgz",
  "*.wasm",
  "*.xz",
  "*.zip",
  "*.zst",
  "*tfevents*",
];
const DATASET_EXTRA = [
  "*.lz4",
  "*.mds",
  "*.pcm",
  "*.sam",
  "*.raw",
  "*.aac",
  "*.flac",
  "*.mp3",
  "*.ogg",
  "*.wav",
  "*.bmp",
  "*.gif",
  "*.png",
  "*.tiff",
  "*.jpg",
  "*.jpeg",
  "*.webp",
  "*.mp4",
  "*.webm",
];

/** The `.gitattributes` of a new repo's initial commit (observed lists; see hub-protocol.md §2). */
export function defaultGitattributes(type: RepoType): string {
  const patterns = type === "dataset" ? [...MODEL_PATTERNS, ...DATASET_EXTRA] : MODEL_PATTERNS;
  return patterns.map((p) => `${p} ${LFS_ATTRS}\n`).join("");
}

/** Escapes a repo path into a gitattributes pattern that matches exactly that path. */
export function attributeLineFor(path: string): string {
  const escaped = path.replace(/[\\*?[\]!#]/g, (c) => `\\${c}`).replace(/\s/g, "[[:space:]]");
  return `${escaped} ${LFS_ATTRS}`;
}

interface Rule {
  readonly index: number;
  readonly lfs: boolean;
}

/**
 * Compiled `filter` attribute rules of one .gitattributes. Last matching line wins, as in git.
 * Literal patterns (the Hub appends one per LFS path, so there can be 100k of them) go into maps so
 * matching stays O(glob lines), not O(lines).
 */
class AttributeMatcher {
  readonly #byPath = new Map<string, Rule>();
  readonly #byBase = new Map<string, Rule>();
  readonly #globs: { index: number; lfs: boolean; test: (p: string) => boolean }[] = [];

  constructor(content: string) {
    content.split(/\r?\n/).forEach((raw, index) => {
      const line = raw.trim();
      if (line === "" || line.startsWith("#")) return;
      const [pattern = "", ...attrs] = line.split(/\s+/);
      const filter = attrs.find((a) => a === "-filter" || a === "!filter" || a.startsWith("filter="));
      if (filter === undefined) return;
      const rule = { index, lfs: filter === "filter=lfs" };
      const anchored = pattern.includes("/");
      const body = pattern.replace(/^\//, "");
      if (!/[*?[\\]/.test(body)) {
        (anchored ? this.#byPath : this.#byBase).set(body, rule);
        return;
      }
      // A pattern without "/" matches the basename at any depth (gitattributes rules).
      const test = picomatch(body, { dot: true });
      this.#globs.push({ ...rule, test: anchored ? test : (p) => test(p.slice(p.lastIndexOf("/") + 1)) });
    });
  }

  isLfs(path: string): boolean {
    const base = path.slice(path.lastIndexOf("/") + 1);
    let best: Rule | undefined;
    for (const r of [this.#byPath.get(path), this.#byBase.get(base)]) {
      if (r && (!best || r.index > best.index)) best = r;
    }
    for (const g of this.#globs) {
      if ((!best || g.index > best.index) && g.test(path)) best = g;
    }
    return best?.lfs ?? false;
  }
}

const cache = new Map<string, AttributeMatcher>();

/** A (cached) predicate telling whether `.gitattributes` content routes a path to LFS. */
export function lfsMatcher(content: string): (path: string) => boolean {
  let matcher = cache.get(content);
  if (!matcher) {
    matcher = new AttributeMatcher(content);
    if (cache.size > 32) cache.clear();
    cache.set(content, matcher);
  }
  const m = matcher;
  return (path) => m.isLfs(path);
}
