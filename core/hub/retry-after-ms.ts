import { headerValue, type ResponseHeaders } from "./header-value.js";

/**
 * How long the server asked us to wait (hub-protocol.md §1.7, §8.3): `Retry-After` in
 * delay-seconds (HTTP dates are ignored, as the official clients do) and the IETF draft
 * `RateLimit: "api";r=0;t=55` (remaining 0, reset in t seconds). The longer of the two wins.
 */
export function retryAfterMs(headers: ResponseHeaders): number | undefined {
  let wait: number | undefined;
  const retryAfter = headerValue(headers, "retry-after")?.trim();
  if (retryAfter !== undefined && /^\d+(\.\d+)?$/.test(retryAfter)) {
    wait = Math.round(Number(retryAfter) * 1000);
  }
  const rateLimit = headerValue(headers, "ratelimit");
  if (rateLimit !== undefined) {
    const params = new Map<string, string>();
    for (const part of rateLimit.split(";")) {
      const eq = part.indexOf("=");
      if (eq > 0) params.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
    }
    const remaining = params.get("r");
    const reset = params.get("t");
    if (remaining !== undefined && Number(remaining) === 0 && reset !== undefined && /^\d+$/.test(reset)) {
      wait = Math.max(wait ?? 0, Number(reset) * 1000);
    }
  }
  return wait;
}
