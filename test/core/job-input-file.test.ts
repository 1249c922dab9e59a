import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import t from "tap";
import { HubpushError } from "../../common/hubpush-error.js";
import { parseJobInput } from "../../core/job-input.js";

// parseJobInput with a file: kind, the path in the repo and its defaults, and the refusals; the
// paths are real (a file, a folder, a symlink, a FIFO made with mkfifo).
const root = mkdtempSync(path.join(tmpdir(), "hubpush-job-input-"));
t.teardown(() => rmSync(root, { recursive: true, force: true }));
const dir = path.join(root, "data");
mkdirSync(dir);
const file = path.join(dir, "model.bin");
writeFileSync(file, "weights");
const defaults = { endpoint: "http://hub.test", cwd: root };
const parse = (input: Record<string, unknown>) => parseJobInput({ repo: "alice/m", ...input }, defaults);

function codeOf(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (err) {
    return err instanceof HubpushError ? err.code : String(err);
  }
}

t.test("a file: kind file, path in the repo = its name unless given", async (t) => {
  const cases: Array<[string | undefined, string]> = [
    [undefined, "model.bin"],
    ["", "model.bin"],
    [".", "model.bin"],
    ["weights/w.bin", "weights/w.bin"],
    ["weights/", "weights/model.bin"],
    ["a/b/", "a/b/model.bin"],
    ["renamed.bin", "renamed.bin"],
  ];
  for (const [given, expected] of cases) {
    const { spec } = parse({
      folder: "data/model.bin",
      ...(given === undefined ? {} : { pathInRepo: given }),
    });
    t.equal(spec.kind, "file", String(given));
    t.equal(spec.folder, file, "absolute");
    t.equal(spec.pathInRepo, expected, `pathInRepo ${JSON.stringify(given)}`);
  }
  t.equal(
    parse({ folder: file }).options.message,
    "Upload model.bin with hubpush",
    "default message names it",
  );
  t.equal(parse({ folder: file, message: "mine" }).options.message, "mine");
  t.equal(
    codeOf(() => parse({ folder: file, pathInRepo: "../x" })),
    "ERR_PATH_IN_REPO_INVALID",
  );
});

t.test("a folder stays a folder, with or without a trailing slash", async (t) => {
  for (const given of ["data", "data/", `${dir}/`]) {
    const { spec, options } = parse({ folder: given });
    t.same([spec.kind, spec.folder, spec.pathInRepo], ["folder", dir, ""], given);
    t.equal(options.message, "Upload folder using hubpush");
  }
});

t.test("a symlink to a file is a file job under the link's path", async (t) => {
  const link = path.join(root, "latest.bin");
  symlinkSync(file, link);
  const { spec } = parse({ folder: link });
  t.same([spec.kind, spec.folder, spec.pathInRepo], ["file", link, "latest.bin"]);
});

t.test("refused: folder-only options with a file, special files, a file with a trailing slash", async (t) => {
  const { execFileSync } = await import("node:child_process");
  const fifo = path.join(root, "fifo");
  execFileSync("mkfifo", [fifo]);
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ folder: file, include: ["*.bin"] }, "ERR_FOLDER_ONLY_OPTION"],
    [{ folder: file, exclude: ["x"] }, "ERR_FOLDER_ONLY_OPTION"],
    [{ folder: file, watch: true }, "ERR_FOLDER_ONLY_OPTION"],
    [{ folder: file, every: 5 }, "ERR_FOLDER_ONLY_OPTION"],
    [{ folder: file, mirrorDeletes: true }, "ERR_FOLDER_ONLY_OPTION"],
    [{ folder: file, delete: true }, "ERR_FOLDER_ONLY_OPTION"],
    [{ folder: fifo }, "ERR_PATH_NOT_UPLOADABLE"],
    [{ folder: "/dev/null" }, "ERR_PATH_NOT_UPLOADABLE"],
    [{ folder: `${file}/` }, "ERR_FOLDER_NOT_DIRECTORY"],
    [{ folder: path.join(root, "missing") }, "ERR_FOLDER_NOT_FOUND"],
    [{ folder: "" }, "ERR_USAGE"],
  ];
  for (const [input, code] of cases)
    t.equal(
      codeOf(() => parse(input)),
      code,
      JSON.stringify(input),
    );
  t.equal(
    codeOf(() => parse({ folder: dir, include: ["*.bin"], watch: true })),
    null,
    "a folder takes them",
  );
});
