import { chmodSync, writeFileSync } from "node:fs";
import path from "node:path";
import t from "tap";
import { HubpushError } from "../../common/hubpush-error.js";
import { readToken } from "../../daemon/token-source.js";

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "resolved";
  } catch (err) {
    return err instanceof HubpushError ? err.code : String(err);
  }
}

t.test("the job's token file wins over HF_TOKEN and $HF_HOME/token; values are trimmed", async (t) => {
  const dir = t.testdir({ "job-token": "  hf_from_file\n", hfhome: { token: "hf_from_hf_home\n" } });
  const hfHome = path.join(dir, "hfhome");
  const env = { HF_TOKEN: " hf_from_env ", HF_HOME: hfHome, HOME: dir };
  t.equal(await readToken({ tokenFile: path.join(dir, "job-token"), env }), "hf_from_file");
  t.equal(await readToken({ tokenFile: null, env }), "hf_from_env");
  t.equal(await readToken({ env: { HF_HOME: hfHome, HOME: dir } }), "hf_from_hf_home");
});

t.test("HF_HOME defaults to ~/.cache/huggingface", async (t) => {
  const dir = t.testdir({ ".cache": { huggingface: { token: "hf_default_place" } } });
  t.equal(await readToken({ env: { HOME: dir } }), "hf_default_place");
});

t.test("missing tokens say how to provide one", async (t) => {
  const dir = t.testdir({ empty: "  \n" });
  const err = await readToken({ env: { HOME: dir } }).catch((e: unknown) => e);
  t.ok(err instanceof HubpushError);
  t.equal((err as HubpushError).code, "ERR_TOKEN_MISSING");
  t.match((err as HubpushError).message, /--token-file.*HF_TOKEN.*HF_HOME/);
  t.equal(
    await code(readToken({ tokenFile: path.join(dir, "nope"), env: { HF_TOKEN: "hf_x" } })),
    "ERR_TOKEN_MISSING",
  );
  t.equal(await code(readToken({ tokenFile: path.join(dir, "empty"), env: {} })), "ERR_TOKEN_MISSING");
});

t.test("a token not starting with hf_ is invalid, and the message never contains it", async (t) => {
  const dir = t.testdir({ bad: "ghp_secretvalue123\n", spaced: "hf_abc def" });
  const err = await readToken({ tokenFile: path.join(dir, "bad"), env: {} }).catch((e: unknown) => e);
  t.equal((err as HubpushError).code, "ERR_TOKEN_INVALID");
  t.notMatch((err as HubpushError).message, /secretvalue/);
  t.match((err as HubpushError).message, /token file .*bad/);
  t.equal(await code(readToken({ env: { HF_TOKEN: "sk-secret" } })), "ERR_TOKEN_INVALID");
  t.equal(await code(readToken({ tokenFile: path.join(dir, "spaced"), env: {} })), "ERR_TOKEN_INVALID");
});

t.test("the file is read on every call, so fixing it takes effect at once", async (t) => {
  const dir = t.testdir({ token: "not-a-token" });
  const file = path.join(dir, "token");
  t.equal(await code(readToken({ tokenFile: file, env: {} })), "ERR_TOKEN_INVALID");
  writeFileSync(file, "hf_fixed\n");
  t.equal(await readToken({ tokenFile: file, env: {} }), "hf_fixed");
});

t.test(
  "an unreadable token file is reported as such",
  { skip: process.getuid?.() === 0 && "root reads anything" },
  async (t) => {
    const dir = t.testdir({ token: "hf_locked" });
    const file = path.join(dir, "token");
    chmodSync(file, 0o000);
    const err = await readToken({ tokenFile: file, env: {} }).catch((e: unknown) => e);
    t.equal((err as HubpushError).code, "ERR_TOKEN_MISSING");
    t.match((err as HubpushError).message, /cannot read the token file/);
  },
);
