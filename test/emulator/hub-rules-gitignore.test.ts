import t from "tap";
import { commit, createRepo, fileLine, header, http, startTestEmulator } from "./helpers.js";

// Issue 12 §3 (Hub side): preupload's shouldIgnore follows the repo's own .gitignore at the
// revision, unless the body carries `gitIgnore` (a root .gitignore uploaded in the same operation).
type Answer = { files: { path: string; shouldIgnore: boolean }[] };
const PATHS = ["keep.txt", "build/out.bin", "sub/x.log", "sub/keep.py", "nested/deep/y.log"];

async function ignored(base: string, rev: string, extra: Record<string, unknown> = {}): Promise<string[]> {
  const res = await http(base, `/api/models/user/gi/preupload/${rev}`, {
    json: { files: PATHS.map((path) => ({ path, size: 1, sample: "" })), ...extra },
  });
  if (res.status !== 200) throw new Error(res.text);
  return res
    .json<Answer>()
    .files.filter((f) => f.shouldIgnore)
    .map((f) => f.path);
}

t.test("shouldIgnore follows the repo's .gitignore, or the gitIgnore sent with the upload", async (t) => {
  const emu = await startTestEmulator(t);
  await createRepo(emu.url, "user/gi");
  t.same(await ignored(emu.url, "main"), [], "no .gitignore in the repo: nothing ignored");
  await commit(emu.url, "models/user/gi", [header(), fileLine(".gitignore", "*.log\nbuild/\n")]);
  t.same(await ignored(emu.url, "main"), ["build/out.bin", "sub/x.log", "nested/deep/y.log"], "repo rules");
  t.same(
    await ignored(emu.url, "main", { gitIgnore: "sub/\n" }),
    ["sub/x.log", "sub/keep.py"],
    "a gitIgnore in the body replaces the repo's rules (the root .gitignore being uploaded)",
  );
  t.same(
    await ignored(emu.url, "main", { gitIgnore: "" }),
    [],
    "an empty uploaded .gitignore ignores nothing",
  );
  // A .gitignore below the root is not the repo's .gitignore: only the root one applies.
  await commit(emu.url, "models/user/gi", [header(), fileLine("sub/.gitignore", "*.py\n")]);
  t.notOk((await ignored(emu.url, "main")).includes("sub/keep.py"), "sub/.gitignore is not applied");
  // The rules are read at the revision asked for.
  const branch = await http(emu.url, "/api/models/user/gi/branch/dev", { json: {} });
  t.equal(branch.status, 200);
  await commit(emu.url, "models/user/gi", [header(), fileLine(".gitignore", "keep.txt\n")], { rev: "dev" });
  t.same(await ignored(emu.url, "dev"), ["keep.txt"], "dev's .gitignore");
  t.same(
    await ignored(emu.url, "main"),
    ["build/out.bin", "sub/x.log", "nested/deep/y.log"],
    "main's unchanged",
  );
  const bad = await http(emu.url, "/api/models/user/gi/preupload/main", {
    json: { files: [{ path: "a", size: 1, sample: "" }], gitIgnore: 5 },
  });
  t.equal(bad.status, 400, "a non-string gitIgnore is refused");
});
