import { HubpushError } from "../common/hubpush-error.js";

function bad(message: string): HubpushError {
  return new HubpushError("ERR_CONTROL_BAD_REQUEST", message);
}

/** A non-negative safe integer from a query parameter, or the fallback when absent. */
export function intQuery(
  query: URLSearchParams,
  name: string,
  fallback: number | null,
  max?: number,
): number {
  const raw = query.get(name);
  if (raw === null || raw === "") {
    if (fallback === null) throw bad(`the query parameter ${name} is required (a whole number)`);
    return fallback;
  }
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value))
    throw bad(`the query parameter ${name}=${raw} must be a whole number ≥ 0`);
  if (max !== undefined && value > max)
    throw bad(`the query parameter ${name}=${raw} must be at most ${max}`);
  return value;
}

/** The job id of a `{"id": N}` body (also accepted: a numeric string, as shells tend to send). */
export function jobIdFromBody(body: unknown): number {
  const id = (body as { id?: unknown } | null)?.id;
  const value = typeof id === "string" && /^\d+$/.test(id) ? Number(id) : id;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
    throw bad('the body must be {"id": N} with the job id, a whole number ≥ 1');
  }
  return value;
}

/** The job id of `?id=N`. */
export function jobIdFromQuery(query: URLSearchParams): number {
  const id = intQuery(query, "id", null);
  if (id === 0) throw bad("the query parameter id must be a job id ≥ 1");
  return id;
}
