import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createBranch, createRepo, type RepoId, uploadFiles } from "@huggingface/hub";
import t from "tap";
import { findPythonPeer, runPythonUploadFolder } from "../../bench/lib/run-python-peer.js";
import { startHarness, WRITE_TOKEN } from "../helpers/engine-harness.js";
import { downloadRemoteFile } from "../helpers/remote-repo.js";
import { type RecordedCall, startRecordingProxy } from "./recording-proxy.js";

// Issue 12 "A check that keeps this true": the same folder uploaded by the official clients —
// @huggingface/hub and, when bench/python-peer/install.sh has installed it (.ci/run does),
// huggingface_hub's upload_folder — and by hubpush, each through a recording proxy in front of the
// emulator. Every endpoint and JSON key hubpush sends must be one an official client sends too,
// unless an entry below explains why. Shapes are compared, never values. The Python client's
// upload must also land byte for byte: the emulator is only as true as the clients it serves.
const MiB = 1024 * 1024;

interface Allowed {
  readonly route: RegExp;
  /** A key hubpush may send on that route; undefined: the whole route is allowed. */
  readonly key?: string;
  readonly why: string;
}

const ALLOWED: readonly Allowed[] = [
  {
    route: /^POST \/api\/repos\/create$/,
    key: "private",
    why: "huggingface_hub (hf upload) sends `private` when the user chose; @huggingface/hub sends `visibility` for the same choice; the emulator and the Hub accept both",
  },
  {
    route: /^POST \/api\/(model|dataset|space)s\/\{repo\}\/commit\/\{rev\}$/,
    key: "header{description,summary}",
    why: "huggingface_hub always sends the commit header's `description` (empty when none); @huggingface/hub leaves it out when empty (kept for runs without the Python client)",
  },
  {
    route: /^GET \/api\/(model|dataset|space)s\/\{repo\}\/revision\/\{rev\}$/,
    why: "the branch check before uploading to a branch other than main (huggingface_hub's upload_folder reads repo info as well)",
  },
  {
    route: /^POST \/api\/(model|dataset|space)s\/\{repo\}\/paths-info\/\{rev\}$/,
    why: "crash recovery: a commit whose answer was lost is reconciled with paths-info (huggingface_hub uses paths-info for copies)",
  },
];

function folderFiles(root: string, dir = ""): Array<{ path: string; content: Buffer }> {
  const out: Array<{ path: string; content: Buffer }> = [];
  for (const name of readdirSync(path.join(root, dir))) {
    const rel = dir === "" ? name : `${dir}/${name}`;
    if (statSync(path.join(root, rel)).isDirectory()) out.push(...folderFiles(root, rel));
    else out.push({ path: rel, content: readFileSync(path.join(root, rel)) });
  }
  return out;
}

function writeFolder(root: string): void {
  mkdirSync(path.join(root, "sub"), { recursive: true });
  writeFileSync(path.join(root, "README.md"), "# fidelity\n");
  writeFileSync(path.join(root, "sub", "config.json"), '{"a":1}\n');
  writeFileSync(path.join(root, "weights.bin"), Buffer.alloc(200 * 1024, 3));
  writeFileSync(path.join(root, "big.safetensors"), Buffer.alloc(3 * MiB + 17, 5));
}

/** The official clients' routes → every key one of them sent there. */
function officialShapes(calls: readonly RecordedCall[]): Map<string, Set<string>> {
  const shapes = new Map<string, Set<string>>();
  for (const call of calls) {
    const keys = shapes.get(call.route) ?? new Set<string>();
    for (const key of call.keys ?? []) keys.add(key);
    shapes.set(call.route, keys);
  }
  return shapes;
}

function differences(ours: readonly RecordedCall[], official: readonly RecordedCall[]): string[] {
  const theirs = officialShapes(official);
  const problems = new Set<string>();
  for (const call of ours) {
    const allowedRoute = ALLOWED.some((a) => a.key === undefined && a.route.test(call.route));
    const keys = theirs.get(call.route);
    if (keys === undefined) {
      if (!allowedRoute) problems.add(`endpoint ${call.route} is not used by the official clients`);
      continue;
    }
    for (const key of call.keys ?? []) {
      if (keys.has(key)) continue;
      if (ALLOWED.some((a) => a.key === key && a.route.test(call.route))) continue;
      problems.add(`${call.route}: key ${key} is not sent by the official clients`);
    }
  }
  return [...problems].sort();
}

const CASES: ReadonlyArray<{
  name: string;
  type: "model" | "dataset" | "space";
  revision?: string;
  pathInRepo?: string;
}> = [
  { name: "model: regular, LFS and multipart files", type: "model" },
  { name: "dataset with --path-in-repo", type: "dataset", pathInRepo: "data/part1" },
  { name: "a Space", type: "space" },
  { name: "a new branch", type: "model", revision: "dev" },
];

const python = findPythonPeer();

for (const c of CASES) {
  t.test(c.name, async (t) => {
    const h = await startHarness({
      emulator: { multipartThresholdBytes: 2 * MiB, multipartChunkBytes: MiB },
    });
    t.teardown(() => h.close());
    writeFolder(h.folder);
    const slug = c.name
      .replace(/[^a-z]+/gi, "-")
      .replace(/^-|-$/g, "")
      .toLowerCase()
      .slice(0, 40);

    const officialRepo = `user/official-${slug}`;
    const official = await startRecordingProxy(h.emulator.url, officialRepo);
    t.teardown(() => official.close());
    const hub = { hubUrl: official.url, accessToken: WRITE_TOKEN };
    const repo: RepoId = { type: c.type, name: officialRepo };
    await createRepo({ ...hub, repo, ...(c.type === "space" ? { sdk: "gradio" as const } : {}) });
    if (c.revision !== undefined) await createBranch({ ...hub, repo, branch: c.revision });
    const prefix = c.pathInRepo === undefined ? "" : `${c.pathInRepo}/`;
    await uploadFiles({
      ...hub,
      repo,
      useXet: false,
      ...(c.revision === undefined ? {} : { branch: c.revision }),
      files: folderFiles(h.folder).map((f) => ({
        path: `${prefix}${f.path}`,
        content: new Blob([f.content]),
      })),
    });

    const officialCalls = [...official.calls];
    if ("missing" in python) {
      t.comment(`Python client not compared: ${python.missing}`);
    } else {
      const pyRepo = `user/python-${slug}`;
      const pyProxy = await startRecordingProxy(h.emulator.url, pyRepo);
      t.teardown(() => pyProxy.close());
      await runPythonUploadFolder(python, {
        url: pyProxy.url,
        token: WRITE_TOKEN,
        repo: pyRepo,
        folder: h.folder,
        repoType: c.type,
        ...(c.revision === undefined ? {} : { revision: c.revision }),
        ...(c.pathInRepo === undefined ? {} : { pathInRepo: c.pathInRepo }),
      });
      t.ok(
        pyProxy.calls.some((call) => call.route.includes("commit")),
        `${python.version} committed`,
      );
      for (const f of folderFiles(h.folder)) {
        const remote = await downloadRemoteFile(
          {
            endpoint: h.emulator.url,
            id: pyRepo,
            type: c.type,
            token: WRITE_TOKEN,
            ...(c.revision === undefined ? {} : { revision: c.revision }),
          },
          `${prefix}${f.path}`,
        );
        t.ok(remote.equals(f.content), `${f.path} uploaded by ${python.version} reads back identical`);
      }
      officialCalls.push(...pyProxy.calls);
    }

    const ourRepo = `user/hubpush-${slug}`;
    const ours = await startRecordingProxy(h.emulator.url, ourRepo);
    t.teardown(() => ours.close());
    const job = h.add(ourRepo, {
      endpoint: ours.url,
      repoType: c.type,
      ...(c.revision === undefined ? {} : { revision: c.revision }),
      ...(c.pathInRepo === undefined ? {} : { pathInRepo: c.pathInRepo }),
    });
    const settled = await h.engine.whenSettled(job.id);
    t.equal(settled.state, "done", JSON.stringify(settled.lastError));

    t.ok(official.calls.length > 0 && ours.calls.length > 0, "both clients went through their proxy");
    t.same(
      differences(ours.calls, officialCalls),
      [],
      "nothing hubpush sends is unknown to the official clients",
    );
    for (const route of ["preupload", "lfs/objects/batch", "commit"]) {
      t.ok(
        ours.calls.some((call) => call.route.includes(route)),
        `hubpush called ${route}`,
      );
    }
  });
}

t.test("the comparison fails on a key or endpoint the official client never sends", async (t) => {
  const call = (route: string, keys: string[]): RecordedCall => ({
    method: "POST",
    route,
    path: "/",
    keys,
    body: null,
    authorization: true,
    status: 200,
  });
  const official = [call("POST /api/models/{repo}/preupload/{rev}", ["files"])];
  t.same(differences([call("POST /api/models/{repo}/preupload/{rev}", ["files", "gitIgnore"])], official), [
    "POST /api/models/{repo}/preupload/{rev}: key gitIgnore is not sent by the official clients",
  ]);
  t.same(differences([call("POST /api/models/{repo}/squash/{rev}", [])], official), [
    "endpoint POST /api/models/{repo}/squash/{rev} is not used by the official clients",
  ]);
});
