import type { HubRepo } from "./hub-client.js";

/** What a request was for, so that a failure can be explained in the user's terms. */
export interface HubCallContext {
  /** The Hub endpoint, as configured (no trailing slash). */
  readonly endpoint: string;
  /** Short name of the call: "commit", "preupload", "LFS batch", "upload", … */
  readonly operation: string;
  readonly repo?: HubRepo;
  readonly revision?: string;
  /** The request went to a self-authenticating URL (presigned PUT, part, completion). */
  readonly presigned: boolean;
  /** Origin and path of the URL, never its query string (presigned signatures live there). */
  readonly target: string;
}

/** "model repo alice/m", "dataset repo bob/ds" — how messages name a repo. */
export function describeRepo(context: HubCallContext): string {
  return context.repo === undefined ? context.endpoint : `${context.repo.type} repo ${context.repo.id}`;
}
