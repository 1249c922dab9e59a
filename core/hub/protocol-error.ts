import { describeRepo, type HubCallContext } from "./hub-call-context.js";
import { HubError } from "./hub-error.js";

/** A plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A 2xx answer that does not follow hub-protocol.md. The Hub accepted the request, so for a commit
 * the work may well be done: `maybeApplied` is set and the engine reconciles.
 */
export function protocolError(context: HubCallContext, what: string): HubError {
  return new HubError(
    "ERR_HUB_PROTOCOL",
    `The Hub's answer to ${context.operation} on ${describeRepo(context)} was malformed: ${what}. Check that ${context.endpoint} is a Hugging Face Hub endpoint; report it if it is.`,
    {
      maybeApplied: true,
      details: { operation: context.operation, target: context.target, problem: what },
    },
  );
}
