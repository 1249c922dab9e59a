import { TOKEN } from "./emulator-process.js";

/** The emulator of W6 fails a share of every route, listings too: retry those like a client would. */
async function getPage(url: string): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
      if ((res.status !== 429 && res.status < 500) || attempt >= 20) return res;
      await res.body?.cancel();
    } catch (err) {
      if (attempt >= 20) throw err; // connection reset by an injected fault
    }
    await new Promise((r) => setTimeout(r, 50 * attempt));
  }
}

/**
 * Counts the files of a repo's main branch through the tree API (recursive, Link-paginated), so
 * each side's result is checked on the Hub's side, not only by what the client says.
 */
export async function countRemoteFiles(endpoint: string, repo: string): Promise<number> {
  let next: string | null = `${endpoint}/api/models/${repo}/tree/main?recursive=true`;
  let files = 0;
  while (next !== null) {
    const res = await getPage(next);
    if (!res.ok) throw new Error(`tree listing of ${repo} answered ${res.status}: ${await res.text()}`);
    const entries = (await res.json()) as Array<{ type: string }>;
    files += entries.filter((e) => e.type === "file").length;
    next = res.headers.get("link")?.match(/<([^>]+)>;\s*rel="next"/)?.[1] ?? null;
  }
  return files;
}
