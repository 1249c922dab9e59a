import { deleteFile, listFiles, pathsInfo, uploadFile } from "@huggingface/hub";
import t from "tap";
import {
  assertRefused,
  commit,
  createRepo,
  fileLine,
  header,
  http,
  lfsLine,
  startTestEmulator,
  uploadLfs,
  WRITE_TOKEN,
} from "./helpers.js";

// Issue 18 §3–5: lastCommit per path, repo_info siblings, folder deletion, empty files.
type Entry = { path: string; type: string; lastCommit?: { id: string }; lfs?: unknown; size: number };

t.test("lastCommit is the last commit that changed each path", async (t) => {
  const emu = await startTestEmulator(t);
  await createRepo(emu.url, "user/lc");
  const c1 = (
    await commit(emu.url, "models/user/lc", [header("1"), fileLine("a.txt", "A"), fileLine("d/b.txt", "B")])
  ).json<{
    commitOid: string;
  }>().commitOid;
  const c2 = (await commit(emu.url, "models/user/lc", [header("2"), fileLine("c.txt", "C")])).json<{
    commitOid: string;
  }>().commitOid;
  const hub = { hubUrl: emu.url, accessToken: WRITE_TOKEN, repo: "user/lc" };
  const infos = await pathsInfo({ ...hub, paths: ["a.txt", "c.txt", "d/b.txt"], expand: true });
  const byPath = new Map(infos.map((i) => [i.path, i.lastCommit?.id]));
  t.equal(byPath.get("a.txt"), c1, "a.txt: changed by c1, not the head");
  t.equal(byPath.get("d/b.txt"), c1);
  t.equal(byPath.get("c.txt"), c2);
  const listed = new Map<string, string | undefined>();
  for await (const f of listFiles({ ...hub, recursive: true, expand: true }))
    listed.set(f.path, f.lastCommit?.id);
  t.equal(listed.get("a.txt"), c1, "listFiles expand: a.txt → c1");
  t.equal(listed.get("c.txt"), c2, "listFiles expand: c.txt → c2");
  const raw = await http(emu.url, "/api/models/user/lc/tree/main?expand=1&recursive=1");
  t.equal(raw.json<Entry[]>().find((e) => e.path === "a.txt")?.lastCommit?.id, c1, "raw tree expand");
});

t.test("repo_info with blobs=true lists siblings with size and lfs", async (t) => {
  const emu = await startTestEmulator(t);
  await createRepo(emu.url, "user/bl");
  const big = Buffer.alloc(2048, 7);
  await uploadLfs(emu.url, "user/bl", big);
  await commit(emu.url, "models/user/bl", [header(), fileLine("a.txt", "abc"), lfsLine("w.bin", big)]);
  const info = (await http(emu.url, "/api/models/user/bl?blobs=true")).json<{
    siblings: { rfilename: string; size?: number; lfs?: { sha256: string; size: number } }[];
  }>();
  const a = info.siblings.find((s) => s.rfilename === "a.txt");
  const w = info.siblings.find((s) => s.rfilename === "w.bin");
  t.equal(a?.size, 3, "regular file size");
  t.equal(a?.lfs, undefined, "regular file has no lfs");
  t.equal(w?.size, 2048, "lfs file size");
  t.equal(w?.lfs?.size, 2048, "lfs.size");
  t.equal(typeof w?.lfs?.sha256, "string", "lfs.sha256");
});

t.test("deleting a folder with deletedFile or deletedFolder", async (t) => {
  const emu = await startTestEmulator(t);
  await createRepo(emu.url, "user/df");
  await commit(emu.url, "models/user/df", [
    header(),
    fileLine("d/a.txt", "A"),
    fileLine("d/e/b.txt", "B"),
    fileLine("f/c.txt", "C"),
    fileLine("keep.txt", "K"),
  ]);
  const viaFile = await commit(emu.url, "models/user/df", [
    header(),
    { key: "deletedFile", value: { path: "d" } },
  ]);
  t.equal(viaFile.status, 200, `deletedFile naming a folder: ${viaFile.text}`);
  const viaFolder = await commit(emu.url, "models/user/df", [
    header(),
    { key: "deletedFolder", value: { path: "f" } },
  ]);
  t.equal(viaFolder.status, 200, "deletedFolder");
  const hub = { hubUrl: emu.url, accessToken: WRITE_TOKEN, repo: "user/df" };
  const paths: string[] = [];
  for await (const f of listFiles({ ...hub, recursive: true })) paths.push(f.path);
  t.same(paths.sort(), [".gitattributes", "keep.txt"], "both folders gone, the rest kept");
  const nothing = await commit(emu.url, "models/user/df", [
    header(),
    { key: "deletedFile", value: { path: "nope" } },
  ]);
  assertRefused(t, nothing, 404, "EntryNotFound");
  await t.rejects(
    deleteFile({ ...hub, path: "nope/x" }),
    /./,
    "@huggingface/hub deleteFile of nothing fails",
  );
  await deleteFile({ ...hub, path: "keep.txt" });
  t.same(await pathsInfo({ ...hub, paths: ["keep.txt"] }), [], "deleteFile removed keep.txt");
});

t.test("empty files are regular, whatever .gitattributes says", async (t) => {
  const emu = await startTestEmulator(t);
  await createRepo(emu.url, "user/em");
  const pre = await http(emu.url, "/api/models/user/em/preupload/main", {
    json: {
      files: [
        { path: "empty.bin", size: 0, sample: "" },
        { path: "x.safetensors", size: 0, sample: "" },
      ],
    },
  });
  t.same(
    pre.json<{ files: { uploadMode: string }[] }>().files.map((f) => f.uploadMode),
    ["regular", "regular"],
    "preupload: an empty *.bin / *.safetensors is regular",
  );
  const hub = { hubUrl: emu.url, accessToken: WRITE_TOKEN, repo: "user/em" };
  await uploadFile({ ...hub, file: { path: "model.bin", content: new Blob([]) } });
  const [info] = await pathsInfo({ ...hub, paths: ["model.bin"] });
  t.equal(info?.size, 0);
  t.equal(info?.lfs, undefined, "uploaded through uploadFile with empty bytes: not LFS");
  const res = await http(emu.url, "/user/em/resolve/main/model.bin");
  t.equal(res.status, 200);
  t.equal(res.body.length, 0, "downloads as empty");
});

t.test("the commit's binary check looks at preupload's 512-byte sample, no further", async (t) => {
  // A file preupload calls regular (no NUL in its sample) must be accepted inline at commit.
  const emu = await startTestEmulator(t, { binaryLfsMinBytes: 1024 });
  await createRepo(emu.url, "user/bin");
  const lateNul = Buffer.alloc(4096, 0x61);
  lateNul[600] = 0;
  const earlyNul = Buffer.alloc(4096, 0x61);
  earlyNul[10] = 0;
  const plan = await http(emu.url, "/api/models/user/bin/preupload/main", {
    body: JSON.stringify({
      files: [
        { path: "late.data1", size: lateNul.length, sample: lateNul.subarray(0, 512).toString("base64") },
        { path: "early.data1", size: earlyNul.length, sample: earlyNul.subarray(0, 512).toString("base64") },
      ],
    }),
    headers: { "content-type": "application/json" },
  });
  const modes = new Map(
    plan.json<{ files: { path: string; uploadMode: string }[] }>().files.map((f) => [f.path, f.uploadMode]),
  );
  t.equal(modes.get("late.data1"), "regular", "preupload: NUL after the sample → regular");
  t.equal(modes.get("early.data1"), "lfs", "preupload: NUL in the sample → lfs");
  const ok = await commit(emu.url, "models/user/bin", [header(), fileLine("late.data1", lateNul)]);
  t.equal(ok.status, 200, `the regular plan commits (body: ${ok.text.slice(0, 200)})`);
  const refused = await commit(emu.url, "models/user/bin", [header(), fileLine("early.data1", earlyNul)]);
  assertRefused(t, refused, 400, "BinaryFileNotAllowed");
});
