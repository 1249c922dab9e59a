import { parse } from "yaml";
import { HubError } from "./hub-error.js";

export interface MetadataCheck {
  /** Why the metadata is refused; undefined when it is valid. */
  readonly errors: string[];
  /** What the Hub warns about (and huggingface_hub surfaces) without refusing. */
  readonly warnings: string[];
}

/** Well-known card keys and the type the Hub requires of them. */
const KEY_TYPES: Readonly<Record<string, "list" | "string" | "list-or-string">> = {
  "model-index": "list",
  license: "string",
  tags: "list",
  datasets: "list-or-string",
  language: "list-or-string",
  library_name: "string",
  pipeline_tag: "string",
};

/** Checks YAML front matter (`---` … `---` at the top) the way the Hub does for README.md. */
export function checkMetadata(text: string): MetadataCheck {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\s*(?:\r?\n|$)/.exec(text.replace(/^\uFEFF/, ""));
  if (!match) return { errors: [], warnings: ["empty or missing yaml metadata in repo card"] };
  let data: unknown;
  try {
    data = parse(match[1] ?? "");
  } catch (err) {
    const reason = err instanceof Error ? err.message.split("\n")[0] : String(err);
    return { errors: [`Error parsing YAML: ${reason}`], warnings: [] };
  }
  if (data === null || data === undefined) {
    return { errors: [], warnings: ["empty or missing yaml metadata in repo card"] };
  }
  if (typeof data !== "object" || Array.isArray(data)) {
    return { errors: ['"metadata" must be an object (a YAML mapping)'], warnings: [] };
  }
  const errors: string[] = [];
  for (const [key, want] of Object.entries(KEY_TYPES)) {
    const value = (data as Record<string, unknown>)[key];
    if (value === undefined || value === null) continue;
    const ok =
      want === "list"
        ? Array.isArray(value)
        : want === "string"
          ? typeof value === "string"
          : Array.isArray(value) || typeof value === "string";
    if (!ok)
      errors.push(
        `"${key}" must be ${want === "list" ? "an array" : want === "string" ? "a string" : "a string or an array"}`,
      );
  }
  return { errors, warnings: [] };
}

/** 400 "Invalid metadata in README.md" with the reasons, as the Hub refuses such a card. */
export function invalidMetadata(errors: readonly string[]): HubError {
  return new HubError(
    400,
    "InvalidMetadata",
    `Invalid metadata in README.md.\n${errors.map((e) => `- ${e}`).join("\n")}`,
  );
}

/** The `X-HF-Warning` value huggingface_hub prints for a card with warnings. */
export function metadataWarning(warnings: readonly string[]): string {
  return `Warnings while validating metadata in README.md: ${warnings.join("; ")}`;
}
