import type { HubRepo, HubRepoType } from "./hub-client.js";

const API = /^\/api\/(model|dataset|space)s\/([^/]+)\/([^/]+)/;
const GIT = /^\/(?:(dataset|space)s\/)?([^/]+)\/([^/]+?)\.git\//;

/** The repo a Hub URL is about (`/api/{type}s/{ns}/{name}/…` or `/{prefix}{ns}/{name}.git/…`). */
export function repoOfUrl(url: string): HubRepo | null {
  const { pathname } = new URL(url);
  const api = API.exec(pathname);
  const git = api === null ? GIT.exec(pathname) : null;
  const match = api ?? git;
  if (match === null) return null;
  const type = (match[1] ?? "model") as HubRepoType;
  return { type, id: `${decodeURIComponent(match[2] ?? "")}/${decodeURIComponent(match[3] ?? "")}` };
}

/**
 * Repos the Hub said moved (a redirect from one repo's URL to another's): later calls go to the
 * new name at once, and a streamed commit refused on the redirect is re-sent there.
 */
export class RepoMoves {
  readonly #moves = new Map<string, string>();
  readonly #onMoved: ((from: HubRepo, to: HubRepo) => void) | undefined;

  constructor(onMoved?: (from: HubRepo, to: HubRepo) => void) {
    this.#onMoved = onMoved;
  }

  /** Learns from one redirect hop. */
  redirected(fromUrl: string, toUrl: string): void {
    const from = repoOfUrl(fromUrl);
    const to = repoOfUrl(toUrl);
    if (from === null || to === null || from.type !== to.type || from.id === to.id) return;
    if (this.#moves.get(`${from.type}:${from.id}`) === to.id) return;
    this.#moves.set(`${from.type}:${from.id}`, to.id);
    this.#onMoved?.(from, to);
  }

  /** The repo's current name as far as this client knows. */
  current(repo: HubRepo): HubRepo {
    const id = this.#moves.get(`${repo.type}:${repo.id}`);
    return id === undefined ? repo : { type: repo.type, id };
  }
}
