import { HUBPUSH_VERSION } from "../version.js";

/** `hubpush/<version>; node/<version>`, in the `name/version; …` style of the official clients. */
export function userAgent(): string {
  return `hubpush/${HUBPUSH_VERSION}; node/${process.versions.node}`;
}
