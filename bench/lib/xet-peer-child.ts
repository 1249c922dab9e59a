/**
 * The W7 peer, in a process of its own: `@huggingface/hub` uploadFiles with useXet: true of one
 * file (--file, as --path in the repo), creating the repo first when --create is given. What it sent
 * is read from the emulator's access log by bench/dedup.ts. Prints {"seconds"} on success.
 */
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { createRepo, uploadFiles } from "@huggingface/hub";

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    repo: { type: "string" },
    file: { type: "string" },
    path: { type: "string" },
    token: { type: "string" },
    create: { type: "boolean", default: false },
  },
});
const { url, repo, file, token } = values;
if (
  url === undefined ||
  repo === undefined ||
  file === undefined ||
  token === undefined ||
  values.path === undefined
) {
  throw new Error("usage: xet-peer-child.ts --url U --repo NS/NAME --file F --path P --token T [--create]");
}
const started = process.hrtime.bigint();
if (values.create) await createRepo({ repo: { type: "model", name: repo }, accessToken: token, hubUrl: url });
await uploadFiles({
  repo: { type: "model", name: repo },
  accessToken: token,
  hubUrl: url,
  useXet: true,
  files: [{ path: values.path, content: pathToFileURL(file) }],
});
console.log(JSON.stringify({ seconds: Number(process.hrtime.bigint() - started) / 1e9 }));
