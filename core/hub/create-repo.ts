import type { CallTimeouts } from "./call-timeouts.js";
import type { CreateRepoRequest, HubRepo } from "./hub-client.js";
import { HubError } from "./hub-error.js";
import type { HubTransport } from "./hub-transport.js";
import { isRecord, protocolError } from "./protocol-error.js";
import { repoPaths } from "./repo-paths.js";

/** hub-protocol.md §2: the create-repo race, whose 409 is not "already exists". */
function inProgress(text: string): boolean {
  return /conflicting operation is in progress/i.test(text);
}

/**
 * `POST /api/repos/create` (hub-protocol.md §2) → the repo's URL. With existOk a 409 is success
 * (its body carries `url`), and so is a 403 when the repo can be seen: a token may be allowed to
 * write to an existing repo of an organization without being allowed to create repos there.
 */
export async function createRepo(
  transport: HubTransport,
  repo: HubRepo,
  options: CreateRepoRequest,
  timeouts: Pick<CallTimeouts, "createRepoMs" | "quickMs">,
): Promise<{ url: string }> {
  const slash = repo.id.indexOf("/");
  const organization = slash < 0 ? null : repo.id.slice(0, slash);
  const name = slash < 0 ? repo.id : repo.id.slice(slash + 1);
  const paths = repoPaths(transport.endpoint, repo);
  try {
    const { json, response } = await transport.sendJson({
      method: "POST",
      url: `${transport.endpoint}/api/repos/create`,
      hub: true,
      operation: "create repo",
      headersTimeoutMs: timeouts.createRepoMs,
      context: { repo },
      // Keys as huggingface_hub sends them: `private` only when chosen (an organization's default
      // visibility applies otherwise), `sdk` only for Spaces (the Hub refuses a Space without one).
      body: {
        json: {
          name,
          organization,
          type: repo.type,
          ...(options.private === undefined ? {} : { private: options.private }),
          ...(repo.type === "space" && options.sdk !== undefined ? { sdk: options.sdk } : {}),
        },
      },
      accept: options.existOk ? [409] : [],
      signal: options.signal,
    });
    if (response.status === 409 && inProgress(response.text)) {
      // Not "already exists": the Hub is busy with another operation on this name. Retried with the
      // job's back-off (huggingface_hub re-POSTs at once, in a loop), never taken as success.
      throw new HubError(
        "ERR_HUB_CONFLICT",
        `The Hub is busy with another operation on ${repo.id} (409: another conflicting operation is in progress); creating the repo will be retried.`,
        { status: 409, retryable: true },
      );
    }
    if (isRecord(json) && typeof json.url === "string") return { url: json.url };
    // A 409 without `url` happened in the wild (hub-protocol.md §2); the web URL is well known.
    if (response.status === 409) return { url: paths.web };
    throw protocolError(response.context, "no `url`");
  } catch (err) {
    if (!(options.existOk && err instanceof HubError && err.status === 403)) throw err;
    await transport
      .send({
        method: "GET",
        url: paths.api,
        hub: true,
        operation: "repo info",
        headersTimeoutMs: timeouts.quickMs,
        context: { repo },
        signal: options.signal,
      })
      .catch(() => {
        throw err;
      });
    return { url: paths.web };
  }
}
