import { createHash, randomFillSync } from "node:crypto";
import { request } from "undici";
import { TOKEN } from "./emulator-process.js";

const MiB = 1024 * 1024;

export interface CeilingResult {
  /** Payload bytes stored, over the wall time of all PUTs (LFS batch calls excluded). */
  readonly megabytesPerSecond: number;
  readonly streams: number;
  readonly bytes: number;
}

async function json(url: string, body: unknown, token: string | null, accept?: string): Promise<unknown> {
  const headers: Record<string, string> = { "content-type": accept ?? "application/json" };
  if (accept !== undefined) headers.accept = accept;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const res = await request(url, { method: "POST", headers, body: JSON.stringify(body) });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${text}`);
  return JSON.parse(text);
}

/**
 * What the machine can store through the emulator (and its link relay, if it has one) with a
 * trivial client: `streams` connections each PUT `perStream` objects of `objectMiB` (basic LFS
 * uploads, content in memory, no reading from disk), all at once. With an uncapped link it is the
 * ceiling a capped W8 run is read against: relay + HTTP server + the emulator's store and sha256
 * verification, on the same loaded machine, in the same run.
 */
export async function measureCeiling(
  url: string,
  options: { streams: number; perStream: number; objectMiB: number; repo: string },
): Promise<CeilingResult> {
  const { streams, perStream, objectMiB, repo } = options;
  const [org, name] = repo.split("/");
  await json(`${url}/api/repos/create`, { name, organization: org, type: "model" }, TOKEN);
  const base = randomFillSync(Buffer.allocUnsafe(objectMiB * MiB));
  const objects = Array.from({ length: streams * perStream }, (_, i) => {
    const body = Buffer.from(base);
    body.writeUInt32BE(i, 0); // distinct objects: the emulator stores each oid once
    return { body, oid: createHash("sha256").update(body).digest("hex") };
  });
  const batch = (await json(
    `${url}/${repo}.git/info/lfs/objects/batch`,
    {
      operation: "upload",
      transfers: ["basic"],
      objects: objects.map((o) => ({ oid: o.oid, size: o.body.length })),
      hash_algo: "sha256",
    },
    TOKEN,
    "application/vnd.git-lfs+json",
  )) as { objects: Array<{ actions?: { upload?: { href: string } } }> };
  const hrefs = batch.objects.map((o) => o.actions?.upload?.href ?? "");
  if (hrefs.some((h) => h === "")) throw new Error("ceiling: the emulator planned no basic upload");
  const started = performance.now();
  await Promise.all(
    Array.from({ length: streams }, async (_, s) => {
      for (let k = 0; k < perStream; k++) {
        const i = s * perStream + k;
        const res = await request(hrefs[i] ?? "", { method: "PUT", body: objects[i]?.body });
        await res.body.dump();
        if (res.statusCode !== 200) throw new Error(`ceiling PUT: ${res.statusCode}`);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const bytes = objects.length * objectMiB * MiB;
  return { megabytesPerSecond: bytes / 1e6 / seconds, streams, bytes };
}
