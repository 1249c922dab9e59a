/**
 * Removes anything token-like from text that came from a server or an error, before it goes into
 * a message: the token itself when known, any `hf_…` token, and `Bearer …` credentials.
 */
export function scrubSecrets(text: string, token?: string): string {
  let out = text;
  if (token !== undefined && token.length > 0) out = out.split(token).join("<token>");
  return out.replace(/hf_[A-Za-z0-9_-]{6,}/g, "<token>").replace(/Bearer\s+[^\s"',;]+/gi, "Bearer <token>");
}
