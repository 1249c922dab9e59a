import { readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { HubpushError } from "../common/hubpush-error.js";

export interface TokenSourceOptions {
  /** A job's --token-file (absolute path); wins over the environment. null/undefined: not given. */
  readonly tokenFile?: string | null;
  /** Environment to read HF_TOKEN, HF_HOME and HOME from. */
  readonly env: NodeJS.ProcessEnv;
}

const HOW_TO =
  "give --token-file FILE, set HF_TOKEN, or write the token to $HF_HOME/token (default ~/.cache/huggingface/token)";

async function readTokenFile(file: string): Promise<string | null> {
  try {
    return await readFile(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return null;
    throw new HubpushError(
      "ERR_TOKEN_MISSING",
      `cannot read the token file ${file} (${code ?? "error"}): check its permissions, or ${HOW_TO}`,
      { details: { tokenFile: file } },
    );
  }
}

/** Checks the token's shape; the message names where it came from, never the token itself. */
function checked(token: string, source: string): string {
  // Whitespace or control characters inside would corrupt the Authorization header.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (!token.startsWith("hf_") || /[\s\x00-\x1f\x7f]/.test(token)) {
    throw new HubpushError(
      "ERR_TOKEN_INVALID",
      `the token from ${source} is not a Hugging Face token (it must start with hf_): put a valid token there (https://huggingface.co/settings/tokens)`,
      { details: { source } },
    );
  }
  return token;
}

/**
 * The Hub token for a job, read afresh on every call so that fixing a token file and running
 * `hubpush retry` works without restarting anything. Order: the job's token file, HF_TOKEN,
 * $HF_HOME/token (HF_HOME defaults to ~/.cache/huggingface).
 */
export async function readToken(options: TokenSourceOptions): Promise<string> {
  const { tokenFile, env } = options;
  if (tokenFile !== undefined && tokenFile !== null) {
    const content = await readTokenFile(tokenFile);
    if (content === null || content.trim() === "") {
      throw new HubpushError(
        "ERR_TOKEN_MISSING",
        `the token file ${tokenFile} ${content === null ? "does not exist" : "is empty"}: write your Hub token (hf_…) into it, then run \`hubpush retry\``,
        { details: { tokenFile } },
      );
    }
    return checked(content.trim(), `token file ${tokenFile}`);
  }
  const fromEnv = env.HF_TOKEN?.trim();
  if (fromEnv !== undefined && fromEnv !== "") return checked(fromEnv, "HF_TOKEN");
  const userHome = env.HOME !== undefined && env.HOME !== "" ? env.HOME : os.homedir();
  const hfHome =
    env.HF_HOME !== undefined && env.HF_HOME !== ""
      ? env.HF_HOME
      : path.join(userHome, ".cache", "huggingface");
  const defaultFile = path.join(hfHome, "token");
  const content = await readTokenFile(defaultFile);
  if (content !== null && content.trim() !== "") return checked(content.trim(), `token file ${defaultFile}`);
  throw new HubpushError("ERR_TOKEN_MISSING", `no Hub token found: ${HOW_TO}`, {
    details: { tried: ["tokenFile", "HF_TOKEN", defaultFile] },
  });
}
