/** Reads a repo back from the emulator over plain HTTP, to check what really landed. */
export interface RemoteEntry {
  readonly path: string;
  readonly size: number;
  readonly oid: string;
  readonly lfs: { readonly oid: string; readonly size: number } | null;
}

export interface RemoteRepo {
  readonly endpoint: string;
  readonly id: string;
  readonly type?: "model" | "dataset" | "space";
  readonly revision?: string;
  readonly token?: string;
}

function headers(repo: RemoteRepo): Record<string, string> {
  return repo.token ? { authorization: `Bearer ${repo.token}` } : {};
}

function plural(repo: RemoteRepo): string {
  return `${repo.type ?? "model"}s`;
}

/** Every file of the revision (tree listing, recursive, following Link pagination). */
export async function listRemoteFiles(repo: RemoteRepo): Promise<Map<string, RemoteEntry>> {
  const out = new Map<string, RemoteEntry>();
  let url: string | null =
    `${repo.endpoint}/api/${plural(repo)}/${repo.id}/tree/${encodeURIComponent(repo.revision ?? "main")}?recursive=true`;
  while (url) {
    const res: Response = await fetch(url, { headers: headers(repo) });
    if (!res.ok) throw new Error(`tree listing failed: ${res.status} ${await res.text()}`);
    const entries = (await res.json()) as Array<{
      type: string;
      path: string;
      size: number;
      oid: string;
      lfs?: RemoteEntry["lfs"];
    }>;
    for (const e of entries) {
      if (e.type === "file") out.set(e.path, { path: e.path, size: e.size, oid: e.oid, lfs: e.lfs ?? null });
    }
    const link = res.headers.get("link");
    url = link?.match(/<(https?:\/\/[^>]+)>;\s+rel="next"/)?.[1] ?? null;
  }
  return out;
}

export async function downloadRemoteFile(repo: RemoteRepo, path: string): Promise<Buffer> {
  const prefix = repo.type === "dataset" ? "datasets/" : repo.type === "space" ? "spaces/" : "";
  const encoded = path.split("/").map(encodeURIComponent).join("/");
  const res = await fetch(
    `${repo.endpoint}/${prefix}${repo.id}/resolve/${encodeURIComponent(repo.revision ?? "main")}/${encoded}`,
    {
      headers: headers(repo),
    },
  );
  if (!res.ok) throw new Error(`download of ${path} failed: ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

/** Commit ids of the revision, newest first (following pagination). */
export async function listRemoteCommits(repo: RemoteRepo): Promise<Array<{ id: string; title: string }>> {
  const out: Array<{ id: string; title: string }> = [];
  let url: string | null =
    `${repo.endpoint}/api/${plural(repo)}/${repo.id}/commits/${encodeURIComponent(repo.revision ?? "main")}`;
  while (url) {
    const res: Response = await fetch(url, { headers: headers(repo) });
    if (!res.ok) throw new Error(`commit listing failed: ${res.status}`);
    for (const c of (await res.json()) as Array<{ id: string; title: string }>)
      out.push({ id: c.id, title: c.title });
    url = res.headers.get("link")?.match(/<(https?:\/\/[^>]+)>;\s+rel="next"/)?.[1] ?? null;
  }
  return out;
}
