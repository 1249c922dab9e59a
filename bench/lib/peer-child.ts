/**
 * The peer, in a process of its own: `@huggingface/hub` createRepo + uploadFiles (useXet: false)
 * of every file under --folder, timed from before createRepo (hubpush creates its repo too) to the
 * last commit. Prints one JSON line: {"seconds", "files", "commits"}.
 *
 * uploadFiles reads every file of a call at once when it builds the commit (Promise.all over the
 * operations), so one call over more files than the open-file limit (20,000 here) fails with
 * EMFILE: the files are given in calls of at most --max-files.
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { createRepo, uploadFiles } from "@huggingface/hub";

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    repo: { type: "string" },
    folder: { type: "string" },
    token: { type: "string" },
    "max-files": { type: "string", default: "15000" },
  },
});
const { url, repo, folder, token } = values;
if (url === undefined || repo === undefined || folder === undefined || token === undefined) {
  throw new Error("usage: peer-child.ts --url U --repo NS/NAME --folder DIR --token T [--max-files N]");
}
const maxFiles = Math.max(1, Number(values["max-files"]));

const started = process.hrtime.bigint();
await createRepo({ repo: { type: "model", name: repo }, accessToken: token, hubUrl: url });
const rels = readdirSync(folder, { recursive: true, withFileTypes: true })
  .filter((d) => d.isFile())
  .map((d) => path.relative(folder, path.join(d.parentPath, d.name)));
let commits = 0;
for (let i = 0; i < rels.length; i += maxFiles) {
  await uploadFiles({
    repo: { type: "model", name: repo },
    accessToken: token,
    hubUrl: url,
    useXet: false,
    files: rels.slice(i, i + maxFiles).map((rel) => ({
      path: rel,
      content: pathToFileURL(path.join(folder, rel)),
    })),
  });
  commits += 1;
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
process.stdout.write(`${JSON.stringify({ seconds, files: rels.length, commits })}\n`);
