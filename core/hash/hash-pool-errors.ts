import { HubpushError } from "../../common/hubpush-error.js";
import type { HashOutcome } from "./hash-outcome.js";

/** The outcome of a file its thread could not answer for: retryable. */
export function crashOutcome(path: string, what: string): HashOutcome {
  return {
    ok: false,
    code: "ERR_FILE_UNREADABLE",
    message: `${path} was not hashed: ${what}; it will be hashed again`,
    retryable: true,
  };
}

export function closedError(): HubpushError {
  return new HubpushError("ERR_INTERRUPTED", "the hashing pool was closed before this file was hashed", {
    retryable: true,
  });
}
