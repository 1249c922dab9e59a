import { readFileSync } from "node:fs";
import path from "node:path";
import t from "tap";
import { writeTree } from "../helpers/folder-tree.js";
import { listRemoteFiles } from "../helpers/remote-repo.js";
import { READ, startUploadEnv, WRITE } from "./upload-env.js";

// Bad repo ids, revisions, repo types and tokens, through the real `hubpush upload`: each ends with
// its exit code and `hubpush: <what happened and what to do> (CODE)`, and never costs earlier work.
const u = await startUploadEnv();
t.teardown(() => u.close());

// One state directory holds a finished job; every bad run below uses it too and must leave it alone.
const home = path.join(u.root, "shared-home");
const kept = u.folder("kept");
writeTree(kept, { "k1.txt": "kept 1", "sub/k2.txt": "kept 2" });
const first = await u.upload(kept, "user/kept", u.env({ HF_TOKEN: WRITE }, home));
if (first.code !== 0) throw new Error(`the setup upload failed: ${first.stderr}`);
const keptCommits = await u.commits("user/kept");

/** Requests the emulator saw so far (its access log). */
function hubRequests(): number {
  return readFileSync(path.join(u.root, "access.log"), "utf8")
    .split("\n")
    .filter((l) => l !== "").length;
}

const data = u.folder("data");
writeTree(data, { "a.txt": "a" });

const inputCases: Array<{ name: string; args: string[]; code: string; message: RegExp }> = [
  {
    name: "an invalid repo id",
    args: ["--repo", "not a repo"],
    code: "ERR_REPO_ID_INVALID",
    message: /"not a repo" is not a valid repo id: use namespace\/name/,
  },
  {
    name: "a repo id with '..'",
    args: ["--repo", "user/a..b"],
    code: "ERR_REPO_ID_INVALID",
    message: /"user\/a\.\.b" is not a valid repo id/,
  },
  {
    name: "an invalid revision",
    args: ["--repo", "user/x", "--revision", "a..b"],
    code: "ERR_REVISION_INVALID",
    message: /--revision "a\.\.b" is not a valid branch name \(e\.g\. main/,
  },
  {
    name: "an invalid repo type",
    args: ["--repo", "user/x", "--repo-type", "kernel"],
    code: "ERR_REPO_TYPE_INVALID",
    message: /repo type "kernel" is not one of model, dataset, space/,
  },
];

for (const c of inputCases) {
  t.test(`${c.name}: exit 3 before anything is sent`, async (t) => {
    const requests = hubRequests();
    // `upload` puts --repo first; the case's own --repo (given later) wins.
    const result = await u.upload(data, "user/x", u.env({ HF_TOKEN: WRITE }, home), ...c.args);
    t.equal(result.code, 3, result.stderr);
    t.match(result.stderr, c.message);
    t.match(result.stderr, new RegExp(`^hubpush: .*\\(${c.code}\\)\\n$`));
    t.equal(result.stdout, "");
    t.equal(hubRequests(), requests, "no request reached the Hub");
  });
}

t.test("a missing branch is created from main's head and the upload goes on (issue 12 §4)", async (t) => {
  const result = await u.upload(
    data,
    "user/branchless",
    u.env({ HF_TOKEN: WRITE }, home),
    "--revision",
    "dev",
  );
  t.equal(result.code, 0, result.stderr);
  const dev = await listRemoteFiles({ ...u.repo("user/branchless"), revision: "dev" });
  t.ok(dev.has("a.txt"), "the file is on the new branch");
  t.ok(dev.has(".gitattributes"), "the branch started at main's head (its initial commit)");
  t.same(await u.remotePaths("user/branchless"), [], "nothing was committed to main instead");
});

t.test("a missing refs/pr/N cannot be created: exit 7, blocked, the message names it", async (t) => {
  const result = await u.upload(
    data,
    "user/prless",
    u.env({ HF_TOKEN: WRITE }, home),
    "--revision",
    "refs/pr/7",
  );
  t.equal(result.code, 7, result.stderr);
  t.match(
    result.stderr,
    /revision "refs\/pr\/7" does not exist in user\/prless.*\(ERR_HUB_REVISION_NOT_FOUND\)/,
  );
  t.match(result.stderr, "the upload is blocked: fix that, then run the same command again");
  t.same(await u.remotePaths("user/prless"), [], "nothing was committed to main instead");
});

t.test(
  "no token: exit 4 naming every place a token is looked for; the job resumes once one is set",
  async (t) => {
    const env = u.env({}, home);
    const result = await u.upload(data, "user/tokenless", env);
    t.equal(result.code, 4, result.stderr);
    t.match(
      result.stderr,
      /no Hub token found: give --token-file FILE, set HF_TOKEN, or write the token to \$HF_HOME\/token/,
    );
    t.match(result.stderr, "(ERR_TOKEN_MISSING)");
    const fixed = await u.upload(data, "user/tokenless", { ...env, HF_TOKEN: WRITE });
    t.equal(fixed.code, 0, fixed.stderr);
    t.same(await u.remotePaths("user/tokenless"), ["a.txt"]);
  },
);

t.test("a token that is not a Hub token: exit 4, never printed", async (t) => {
  const result = await u.upload(data, "user/badshape", u.env({ HF_TOKEN: "secret-not-hf" }, home));
  t.equal(result.code, 4, result.stderr);
  t.match(
    result.stderr,
    /the token from HF_TOKEN is not a Hugging Face token \(it must start with hf_\): put a valid token there/,
  );
  t.match(result.stderr, "(ERR_TOKEN_INVALID)");
  t.notMatch(result.stdout + result.stderr, "secret-not-hf");
});

t.test("a token the Hub refuses: exit 4, one refused request, never printed", async (t) => {
  const requests = hubRequests();
  const result = await u.upload(data, "user/refused", u.env({ HF_TOKEN: "hf_unknown_token" }, home));
  t.equal(result.code, 4, result.stderr);
  t.match(result.stderr, /The token was refused by .* \(401: .*\)\. Check HF_TOKEN or the token file/);
  t.match(result.stderr, "(ERR_HUB_UNAUTHORIZED)");
  t.notMatch(result.stdout + result.stderr, "hf_unknown_token");
  t.equal(hubRequests() - requests, 1, "one request, no retry loop against a refused token");
});

t.test("a read-only token: exit 4, the repo is left as it was; a write token then finishes", async (t) => {
  const folder = u.folder("readonly");
  writeTree(folder, { "old.txt": "old" });
  const env = u.env({ HF_TOKEN: WRITE }, home);
  t.equal((await u.upload(folder, "user/readonly", env)).code, 0);
  const commits = await u.commits("user/readonly");
  writeTree(folder, { "new.txt": "new" });
  const result = await u.upload(folder, "user/readonly", { ...env, HF_TOKEN: READ });
  t.equal(result.code, 4, result.stderr);
  t.match(
    result.stderr,
    /The token lacks write permission on model repo user\/readonly .*Use a token with write access/,
  );
  t.match(result.stderr, "(ERR_HUB_FORBIDDEN)");
  t.same(await u.remotePaths("user/readonly"), ["old.txt"], "nothing deleted, nothing added");
  t.equal(await u.commits("user/readonly"), commits);
  const fixed = await u.upload(folder, "user/readonly", env);
  t.equal(fixed.code, 0, fixed.stderr);
  t.same(await u.remotePaths("user/readonly"), ["new.txt", "old.txt"]);
  t.equal(await u.commits("user/readonly"), commits + 1, "one commit for the new file only");
});

t.test("after every bad run above, the earlier job in the same state directory is intact", async (t) => {
  const again = await u.upload(kept, "user/kept", u.env({ HF_TOKEN: WRITE }, home), "--json");
  t.equal(again.code, 0, again.stderr);
  t.match(
    JSON.parse(again.stdout),
    { id: 1, state: "done", files: { committed: { files: 2 } } },
    "still job 1, done",
  );
  t.equal(await u.commits("user/kept"), keptCommits, "and running it again commits nothing new");
});
