import picomatch from "picomatch";

/**
 * The LFS patterns of the `.gitattributes` the Hub puts in a new model repo (hub-protocol.md §2,
 * observed lists); datasets add audio, image and video types.
 */
const MODEL_LFS_PATTERNS = [
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
const DATASET_LFS_PATTERNS = [
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

/** hub-protocol.md §3: larger files are LFS; binary samples (a NUL byte) above 1 MB too. */
const LFS_ABOVE_BYTES = 10 * 1024 * 1024;
const BINARY_LFS_ABOVE_BYTES = 1_000_000;

/** The `filter=lfs` patterns of a `.gitattributes` text (later lines win, as in git). */
function attributeRules(text: string): Array<{ lfs: boolean; test: (path: string) => boolean }> {
  const rules: Array<{ lfs: boolean; test: (path: string) => boolean }> = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const [pattern = "", ...attrs] = line.split(/\s+/);
    const filter = attrs.find((a) => a === "-filter" || a === "!filter" || a.startsWith("filter="));
    if (filter === undefined) continue;
    const anchored = pattern.includes("/");
    const isMatch = picomatch(pattern.replace(/^\//, ""), { dot: true });
    rules.push({
      lfs: filter === "filter=lfs",
      test: anchored ? isMatch : (p) => isMatch(p.slice(p.lastIndexOf("/") + 1)),
    });
  }
  return rules;
}

/**
 * How a file would travel to a repo that does not exist yet, where there is no preupload to ask:
 * the Hub's rules as hub-protocol.md §3 describes them (an estimate: the Hub's own thresholds are
 * not published). Empty files always go regular, as the upload sends them.
 */
export function localUploadMode(
  repoType: "model" | "dataset" | "space",
  uploadedGitattributes: string | null,
): (path: string, size: number, sample: string) => "regular" | "lfs" {
  const defaults =
    repoType === "dataset" ? [...MODEL_LFS_PATTERNS, ...DATASET_LFS_PATTERNS] : MODEL_LFS_PATTERNS;
  const rules = attributeRules(
    `${defaults.map((p) => `${p} filter=lfs`).join("\n")}\n${uploadedGitattributes ?? ""}`,
  );
  return (path, size, sample) => {
    if (size === 0) return "regular";
    let lfs = false;
    for (const rule of rules) if (rule.test(path)) lfs = rule.lfs;
    if (lfs || size > LFS_ABOVE_BYTES) return "lfs";
    const binary = Buffer.from(sample, "base64").includes(0);
    return binary && size > BINARY_LFS_ABOVE_BYTES ? "lfs" : "regular";
  };
}
