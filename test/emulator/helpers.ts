import { createHash } from "node:crypto";
import { type Dispatcher, request } from "undici";
import { type EmulatorOptions, type RunningEmulator, startEmulator } from "../../emulator/start-emulator.js";

export const WRITE_TOKEN = "hf_test_write";
export const READ_TOKEN = "hf_test_read";
export const ALICE_TOKEN = "hf_test_alice";
export const DEFAULT_TEST_TOKENS = [
  `${WRITE_TOKEN}:write:user`,
  `${READ_TOKEN}:read:user`,
  `${ALICE_TOKEN}:write:alice`,
];

/** Something with a teardown hook (a tap Test). */
export interface Teardown {
  teardown(fn: () => unknown): void;
}

/** Starts an emulator on port 0 with the test tokens; closed at teardown. */
export async function startTestEmulator(
  t: Teardown,
  options: EmulatorOptions = {},
): Promise<RunningEmulator> {
  const emu = await startEmulator({ tokens: DEFAULT_TEST_TOKENS, ...options });
  t.teardown(() => emu.close());
  return emu;
}

export interface HttpResult {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  readonly text: string;
  json<T = unknown>(): T;
}

export interface HttpOptions {
  readonly method?: Dispatcher.HttpMethod;
  readonly token?: string | null;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  readonly json?: unknown;
}

/** One raw HTTP request against a URL (absolute, or relative to `base`). */
export async function http(base: string, path: string, options: HttpOptions = {}): Promise<HttpResult> {
  const headers: Record<string, string> = { ...options.headers };
  const token = options.token === undefined ? WRITE_TOKEN : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let body = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers["content-type"] ??= "application/json";
  }
  const url = path.startsWith("http") ? path : `${base}${path}`;
  const res = await request(url, {
    method: options.method ?? (body === undefined ? "GET" : "POST"),
    headers,
    body,
  });
  const buf = Buffer.from(await res.body.arrayBuffer());
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) {
    if (v !== undefined) flat[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
  }
  const text = buf.toString("utf8");
  return {
    status: res.statusCode,
    headers: flat,
    body: buf,
    text,
    json: <T>() => JSON.parse(text) as T,
  };
}

export function sha256(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}

export function gitBlobSha1(data: Buffer | string): string {
  const buf = typeof data === "string" ? Buffer.from(data) : data;
  return createHash("sha1").update(`blob ${buf.length}\0`).update(buf).digest("hex");
}

export async function createRepo(
  base: string,
  id: string,
  options: { type?: "model" | "dataset" | "space"; private?: boolean; token?: string } = {},
): Promise<HttpResult> {
  const [organization, name] = id.split("/");
  return http(base, "/api/repos/create", {
    token: options.token ?? WRITE_TOKEN,
    json: {
      name,
      organization,
      type: options.type ?? "model",
      visibility: options.private ? "private" : "public",
      ...(options.type === "space" ? { sdk: "static" } : {}),
    },
  });
}

export type CommitLine =
  | { key: "header"; value: { summary: string; description?: string; parentCommit?: string } }
  | { key: "file"; value: { path: string; content: string; encoding: "base64" } }
  | { key: "lfsFile"; value: { path: string; algo: "sha256"; oid: string; size?: number } }
  | { key: "deletedFile"; value: { path: string } }
  | { key: "deletedFolder"; value: { path: string } };

export function fileLine(path: string, content: Buffer | string): CommitLine {
  const buf = typeof content === "string" ? Buffer.from(content) : content;
  return { key: "file", value: { path, content: buf.toString("base64"), encoding: "base64" } };
}

export function lfsLine(path: string, content: Buffer | string): CommitLine {
  const buf = typeof content === "string" ? Buffer.from(content) : content;
  return { key: "lfsFile", value: { path, algo: "sha256", oid: sha256(buf), size: buf.length } };
}

/** POSTs an NDJSON commit (lines may be raw strings to send malformed input). */
export async function commit(
  base: string,
  apiRepo: string,
  lines: readonly (CommitLine | string)[],
  options: { rev?: string; query?: string; token?: string | null; summary?: string } = {},
): Promise<HttpResult> {
  const body = lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n");
  const rev = encodeURIComponent(options.rev ?? "main");
  return http(base, `/api/${apiRepo}/commit/${rev}${options.query ?? ""}`, {
    token: options.token,
    body,
    headers: { "content-type": "application/x-ndjson" },
  });
}

export function header(summary = "test commit", extra: { parentCommit?: string } = {}): CommitLine {
  return { key: "header", value: { summary, description: "", ...extra } };
}

export interface LfsBatchObject {
  oid: string;
  size: number;
  actions?: { upload: { href: string; header?: Record<string, string> }; verify?: { href: string } };
  error?: { code: number; message: string };
}

/** LFS batch for one object set against `{prefix}{ns}/{name}.git`. */
export async function lfsBatch(
  base: string,
  gitRepo: string,
  objects: { oid: string; size: number }[],
  extra: Record<string, unknown> = {},
  token: string | null = WRITE_TOKEN,
): Promise<HttpResult> {
  return http(base, `/${gitRepo}.git/info/lfs/objects/batch`, {
    token,
    headers: { accept: "application/vnd.git-lfs+json", "content-type": "application/vnd.git-lfs+json" },
    json: {
      operation: "upload",
      transfers: ["basic", "multipart"],
      objects,
      hash_algo: "sha256",
      ref: { name: "main" },
      ...extra,
    },
  });
}

/** Uploads `content` through the LFS batch API (basic or multipart, as the emulator plans it). */
export async function uploadLfs(base: string, gitRepo: string, content: Buffer): Promise<string> {
  const oid = sha256(content);
  const batch = await lfsBatch(base, gitRepo, [{ oid, size: content.length }]);
  if (batch.status !== 200) throw new Error(`lfs batch: ${batch.status} ${batch.text}`);
  const obj = batch.json<{ objects: LfsBatchObject[] }>().objects[0];
  const upload = obj?.actions?.upload;
  if (!upload) return oid;
  const chunkSize = upload.header?.chunk_size;
  if (chunkSize === undefined) {
    const put = await http(base, upload.href, { method: "PUT", body: content, token: null });
    if (put.status !== 200) throw new Error(`basic put: ${put.status} ${put.text}`);
    return oid;
  }
  const chunk = Number(chunkSize);
  const keys = Object.keys(upload.header ?? {}).filter((k) => /^\d+$/.test(k));
  const parts: { partNumber: number; etag: string }[] = [];
  for (const [i, key] of keys.entries()) {
    const url = upload.header?.[key] ?? "";
    const res = await http(base, url, {
      method: "PUT",
      body: content.subarray(i * chunk, (i + 1) * chunk),
      token: null,
    });
    if (res.status !== 200) throw new Error(`part put: ${res.status} ${res.text}`);
    parts.push({ partNumber: i + 1, etag: res.headers.etag ?? "" });
  }
  const done = await http(base, upload.href, {
    token: null,
    headers: { "content-type": "application/vnd.git-lfs+json" },
    json: { oid, parts },
  });
  if (done.status !== 200) throw new Error(`completion: ${done.status} ${done.text}`);
  return oid;
}

/** Minimal assertion surface of a tap Test, so helpers stay independent of tap's types. */
export interface Asserts {
  equal(found: unknown, wanted: unknown, message: string): unknown;
  ok(value: unknown, message: string): unknown;
  match(found: unknown, pattern: RegExp | string, message: string): unknown;
}

/** Checks the Hub error shape: status, X-Error-Code, X-Error-Message, X-Request-Id, JSON {"error"}. */
export function assertRefused(
  t: Asserts,
  res: HttpResult,
  status: number,
  code: string,
  message?: RegExp | string,
): void {
  t.equal(res.status, status, `status ${status} (body: ${res.text.slice(0, 300)})`);
  t.equal(res.headers["x-error-code"], code, "X-Error-Code");
  t.ok((res.headers["x-error-message"] ?? "") !== "", "X-Error-Message is set");
  t.ok((res.headers["x-request-id"] ?? "") !== "", "X-Request-Id is set");
  t.match(res.headers["content-type"] ?? "", /^application\/json/, "JSON content type");
  const body = res.json<{ error?: unknown }>();
  t.equal(typeof body.error, "string", "JSON body carries error");
  if (message !== undefined) t.match(String(body.error), message, "error message");
}

/** Asks for an upload plan and returns the object's `actions.upload` (throws when there is none). */
export async function planFor(
  base: string,
  gitRepo: string,
  content: Buffer,
): Promise<{ href: string; header?: Record<string, string> }> {
  const res = await lfsBatch(base, gitRepo, [{ oid: sha256(content), size: content.length }]);
  const upload = res.json<{ objects: LfsBatchObject[] }>().objects[0]?.actions?.upload;
  if (!upload) throw new Error(`no upload action: ${res.text}`);
  return upload;
}
