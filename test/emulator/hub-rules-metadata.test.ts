import { uploadFile } from "@huggingface/hub";
import t from "tap";
import {
  assertRefused,
  commit,
  createRepo,
  fileLine,
  header,
  http,
  startTestEmulator,
  WRITE_TOKEN,
} from "./helpers.js";

// Issue 18 §6: README.md metadata is validated at preupload, at commit and by /api/validate-yaml.
const INVALID: Record<string, string> = {
  "YAML that does not parse": "---\nlicense: [mit\n---\n# card\n",
  "model-index not a list": "---\nmodel-index: foo\n---\n",
  "license not a string": "---\nlicense: [mit, apache-2.0]\n---\n",
  "tags not a list": "---\ntags: 5\n---\n",
};

t.test("invalid metadata is refused at commit, at preupload and by validate-yaml", async (t) => {
  const emu = await startTestEmulator(t);
  await createRepo(emu.url, "user/card");
  for (const [why, text] of Object.entries(INVALID)) {
    const res = await commit(emu.url, "models/user/card", [header(), fileLine("README.md", text)]);
    assertRefused(t, res, 400, "InvalidMetadata", /^Invalid metadata in README\.md\.\n- /);
    const size = Buffer.byteLength(text);
    const pre = await http(emu.url, "/api/models/user/card/preupload/main", {
      json: { files: [{ path: "README.md", size, sample: Buffer.from(text).toString("base64") }] },
    });
    assertRefused(t, pre, 400, "InvalidMetadata", /Invalid metadata in README\.md/);
    const v = await http(emu.url, "/api/validate-yaml", { json: { content: text, repoType: "model" } });
    assertRefused(t, v, 400, "InvalidMetadata", /Invalid metadata in README\.md/);
    t.comment(`refused: ${why}`);
  }
  const tree = await http(emu.url, "/api/models/user/card/tree/main");
  t.notOk(tree.text.includes("README.md"), "nothing was committed");
  const hub = { hubUrl: emu.url, accessToken: WRITE_TOKEN, repo: "user/card" };
  await t.rejects(
    uploadFile({
      ...hub,
      file: { path: "README.md", content: new Blob([INVALID["tags not a list"] ?? ""]) },
    }),
    /Invalid metadata in README\.md/,
    "@huggingface/hub surfaces the refusal",
  );
  const nested = await commit(emu.url, "models/user/card", [
    header(),
    fileLine("docs/README.md", "---\ntags: 5\n---\n"),
  ]);
  t.equal(nested.status, 200, "only the root README.md is a card");
});

t.test("valid metadata passes; no metadata passes with the Hub's warning", async (t) => {
  const emu = await startTestEmulator(t);
  await createRepo(emu.url, "user/card");
  const good = "---\nlicense: mit\ntags: [a, b]\nmodel-index:\n  - name: m\n---\n# card\n";
  const ok = await commit(emu.url, "models/user/card", [header(), fileLine("README.md", good)]);
  t.equal(ok.status, 200, ok.text);
  t.equal(ok.headers["x-hf-warning"], undefined, "no warning for valid metadata");
  const bare = await commit(emu.url, "models/user/card", [header(), fileLine("README.md", "# just text\n")]);
  t.equal(bare.status, 200);
  t.match(
    bare.headers["x-hf-warning"] ?? "",
    /^Warnings while validating metadata in README\.md: /,
    "warning header",
  );
  const v = await http(emu.url, "/api/validate-yaml", { json: { content: "# no metadata\n" } });
  t.equal(v.status, 200);
  t.equal(v.json<{ warnings: unknown[] }>().warnings.length, 1, "validate-yaml warns too");
  const vGood = await http(emu.url, "/api/validate-yaml", { json: { content: good } });
  t.same(vGood.json(), { errors: [], warnings: [] });
  const malformed = await http(emu.url, "/api/validate-yaml", { json: { content: 5 } });
  assertRefused(t, malformed, 400, "BadRequest");
});
