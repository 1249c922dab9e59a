import path from "node:path";
import { HubpushError } from "../common/hubpush-error.js";
import type { JobOptions, JobSpec, RepoType, RepoVisibility, SpaceSdk } from "../storage/journal.js";
import { SPACE_SDKS, TRANSFER_MODES, type TransferMode } from "../storage/journal.js";
import { refuseFolderOptions, resolveLocalTarget } from "./local-target.js";

export const DEFAULT_COMMIT_MESSAGE = "Upload folder using hubpush";
/** A one-file job's default summary names the file, as `hf upload`'s does. */
export const defaultFileCommitMessage = (pathInRepo: string): string => `Upload ${pathInRepo} with hubpush`;
export const DEFAULT_ENDPOINT = "https://huggingface.co";

/** What a user asks for, from the CLI flags or the control API's /v1/jobs/add body. */
export interface JobInput {
  /**
   * The folder to upload, or one regular file: the job is then a one-file job ("kind": "file") whose
   * pathInRepo is the file's full path in the repo (default: the file's name; a value ending in "/"
   * is a folder the file goes into). include/exclude/watch/every/mirrorDeletes are refused with a file.
   */
  folder: string;
  repo: string;
  repoType?: string;
  revision?: string;
  pathInRepo?: string;
  include?: string[];
  exclude?: string[];
  message?: string;
  /** --commit-description: the commit header's description, sent with every commit of the job. */
  commitDescription?: string;
  /** true: create private; false: create public; absent: the Hub's default for the namespace. */
  private?: boolean;
  /** The CLI's --public (the control API says `private: false`); together with private: true it is refused. */
  public?: boolean;
  /** Spaces only: gradio (default, as `hf upload`), streamlit, docker or static. */
  spaceSdk?: string;
  tokenFile?: string;
  endpoint?: string;
  watch?: boolean;
  every?: number;
  /** Watch mode: mirror local deletions to the repo (the CLI's --mirror-deletes). */
  mirrorDeletes?: boolean;
  /** The old name of mirrorDeletes, still accepted as a boolean. */
  delete?: boolean;
  /** --create-pr: the first commit opens a pull request from `revision`; later commits go to it. */
  createPr?: boolean;
  /** --delete GLOB (repeatable): remote files under pathInRepo that match are deleted in the first commit. */
  deletePatterns?: string[];
  /** --transfer: auto (default), xet or lfs (docs/xet.md). */
  transfer?: string;
}

const REPO_TYPES: readonly RepoType[] = ["model", "dataset", "space"];
const REPO_PART = /^[\w.-]+$/;

function bad(code: ConstructorParameters<typeof HubpushError>[0], message: string): HubpushError {
  return new HubpushError(code, message);
}

/** hub-protocol.md §1.3: namespace/name, each part [\w.-], name ≤ 96, no leading/trailing - or ., no -- or .., no .git suffix. */
export function validateRepoId(repoId: string): string {
  const parts = repoId.split("/");
  const ok =
    parts.length === 2 &&
    parts.every(
      (p) =>
        p.length > 0 &&
        p.length <= 96 &&
        REPO_PART.test(p) &&
        !/^[-.]|[-.]$/.test(p) &&
        !p.includes("--") &&
        !p.includes(".."),
    ) &&
    !repoId.endsWith(".git");
  if (!ok) {
    throw bad(
      "ERR_REPO_ID_INVALID",
      `"${repoId}" is not a valid repo id: use namespace/name with letters, digits, '-', '_' and '.' (e.g. alice/my-model)`,
    );
  }
  return repoId;
}

/** A branch name as git allows it (refs/pr/N included); anything else would be refused by the Hub later. */
export function validateRevision(revision: string): string {
  const invalid =
    revision.length === 0 ||
    revision.length > 255 ||
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what git refuses
    /[\x00-\x20~^:?*[\\\x7f]/.test(revision) ||
    revision.includes("..") ||
    revision.includes("@{") ||
    revision.includes("//") ||
    revision.startsWith("/") ||
    revision.endsWith("/") ||
    revision.endsWith(".") ||
    revision.endsWith(".lock");
  if (invalid) {
    throw bad(
      "ERR_REVISION_INVALID",
      `--revision "${revision}" is not a valid branch name (e.g. main, dev, refs/pr/1)`,
    );
  }
  return revision;
}

/**
 * --create-pr opens a PR from a branch (hub-protocol.md §6: create_pr needs a branch). A revision
 * that is a pull request, a tag, a conversion ref or a commit id is refused before a job exists.
 */
export function checkCreatePrRevision(revision: string): void {
  const pr = /^refs\/pr\/\d+$/.test(revision);
  const notBranch = pr || /^refs\/(tags|convert)\//.test(revision) || /^[0-9a-f]{40}$/i.test(revision);
  if (!notBranch) return;
  throw bad(
    "ERR_CREATE_PR_REVISION",
    pr
      ? `--create-pr opens a new pull request, but --revision "${revision}" already is one: drop --create-pr to add commits to it`
      : `--create-pr opens a pull request from a branch, and --revision "${revision}" is not a branch name: give a branch (default: main)`,
  );
}

/** POSIX prefix inside the repo: no absolute paths, no '..', '.git' or empty components. */
export function normalizePathInRepo(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what the Hub refuses
  if (/[\x00-\x1f\x7f]/.test(value)) {
    throw bad(
      "ERR_PATH_IN_REPO_INVALID",
      `--path-in-repo ${JSON.stringify(value)} has a control character (newline, tab, …), which the Hub refuses in paths`,
    );
  }
  if (value.startsWith("/") || /^[A-Za-z]:[\\/]/.test(value)) {
    throw bad(
      "ERR_PATH_IN_REPO_INVALID",
      `--path-in-repo "${value}" is absolute: give a path relative to the repo root`,
    );
  }
  const parts = value
    .replaceAll("\\", "/")
    .split("/")
    .filter((p) => p !== "" && p !== ".");
  for (const part of parts) {
    if (part === ".." || part === ".git") {
      throw bad(
        "ERR_PATH_IN_REPO_INVALID",
        `--path-in-repo "${value}" contains "${part}": give a plain folder path`,
      );
    }
  }
  return parts.join("/");
}

export function normalizeEndpoint(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw bad(
      "ERR_ENDPOINT_INVALID",
      `"${value}" is not a URL: give the Hub endpoint like https://huggingface.co`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw bad("ERR_ENDPOINT_INVALID", `"${value}" must be an http:// or https:// URL`);
  }
  return url.toString().replace(/\/+$/, "");
}

function stringList(value: unknown, name: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string" && v.length > 0)) {
    throw bad("ERR_CONTROL_BAD_REQUEST", `${name} must be a list of non-empty glob strings`);
  }
  return value;
}

function optional<T>(
  value: unknown,
  check: (v: unknown) => v is T,
  name: string,
  expected: string,
): T | undefined {
  if (value === undefined || value === null) return undefined;
  if (!check(value)) throw bad("ERR_CONTROL_BAD_REQUEST", `${name} must be ${expected}`);
  return value;
}

const isString = (v: unknown): v is string => typeof v === "string";
const isBoolean = (v: unknown): v is boolean => typeof v === "boolean";
const isPositive = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v > 0;

/** --private / --public / neither; neither sends no `private` key so an organization's default applies. */
function parseVisibility(raw: Record<string, unknown>): RepoVisibility {
  const isPrivate = optional(raw.private, isBoolean, "private", "true or false");
  const isPublic = optional(raw.public, isBoolean, "public", "true or false");
  if (isPrivate === true && isPublic === true) {
    throw bad(
      "ERR_VISIBILITY_CONFLICT",
      "--private and --public were both given: choose one of them (or neither, for the namespace's default)",
    );
  }
  if (isPrivate === true) return "private";
  if (isPublic === true || isPrivate === false) return "public";
  return "default";
}

function parseSpaceSdk(value: unknown, repoType: RepoType): SpaceSdk | null {
  if (value === undefined || value === null) return repoType === "space" ? "gradio" : null;
  if (typeof value !== "string" || !SPACE_SDKS.includes(value as SpaceSdk)) {
    throw bad(
      "ERR_SPACE_SDK_INVALID",
      `--space-sdk ${JSON.stringify(value)} is not one of ${SPACE_SDKS.join(", ")}`,
    );
  }
  if (repoType !== "space") {
    throw bad(
      "ERR_SPACE_SDK_INVALID",
      "--space-sdk only applies to Spaces: add --repo-type space or drop --space-sdk",
    );
  }
  return value as SpaceSdk;
}

function parseTransfer(value: unknown): TransferMode {
  if (value === undefined || value === null) return "auto";
  if (typeof value !== "string" || !TRANSFER_MODES.includes(value as TransferMode)) {
    throw bad(
      "ERR_USAGE",
      `--transfer ${JSON.stringify(value)} is not one of ${TRANSFER_MODES.join(", ")} (auto: Xet when the Hub offers it, else LFS)`,
    );
  }
  return value as TransferMode;
}

/**
 * A one-file job's full path in the repo: the file's name by default (`hf upload`'s rule), the given
 * path as is, or — given with a trailing "/" (or "." for the root) — that folder plus the file's name.
 */
function filePathInRepo(given: string | undefined, file: string): string {
  const name = path.basename(file);
  const value = given ?? "";
  const folder = normalizePathInRepo(value);
  if (value.endsWith("/") || folder === "")
    return normalizePathInRepo(folder === "" ? name : `${folder}/${name}`);
  return folder;
}

/** Validates a job request (from flags or JSON) into the journal's JobSpec and JobOptions. */
export function parseJobInput(
  input: unknown,
  defaults: { endpoint: string; cwd: string },
): { spec: JobSpec; options: JobOptions } {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw bad("ERR_CONTROL_BAD_REQUEST", "the job must be a JSON object with at least folder and repo");
  }
  const raw = input as Record<string, unknown>;
  const folder = optional(raw.folder, isString, "folder", "a path");
  const repo = optional(raw.repo, isString, "repo", "a repo id like alice/my-model");
  if (folder === undefined || folder === "") throw bad("ERR_USAGE", "a folder or file to upload is required");
  if (repo === undefined) throw bad("ERR_REPO_ID_INVALID", "a repo id is required (--repo namespace/name)");
  const repoType = optional(raw.repoType, isString, "repoType", "model, dataset or space") ?? "model";
  if (!REPO_TYPES.includes(repoType as RepoType)) {
    throw bad("ERR_REPO_TYPE_INVALID", `repo type "${repoType}" is not one of model, dataset, space`);
  }
  const every = optional(raw.every, isPositive, "every", "a positive number of minutes");
  const include = stringList(raw.include, "include");
  const exclude = stringList(raw.exclude, "exclude");
  const watch = optional(raw.watch, isBoolean, "watch", "true or false") ?? false;
  const deleteRemote =
    optional(raw.mirrorDeletes, isBoolean, "mirrorDeletes", "true or false") ??
    optional(raw.delete, isBoolean, "delete", "true or false (the old name of mirrorDeletes)") ??
    false;
  const deletePatterns = stringList(raw.deletePatterns, "deletePatterns");
  const target = resolveLocalTarget(folder, defaults.cwd);
  if (target.kind === "file") {
    refuseFolderOptions(target, {
      include,
      exclude,
      watch,
      every,
      mirrorDeletes: deleteRemote,
      deletePatterns,
    });
  }
  const givenPathInRepo = optional(raw.pathInRepo, isString, "pathInRepo", "a path");
  const spec: JobSpec = {
    folder: target.absolute,
    kind: target.kind,
    endpoint: normalizeEndpoint(optional(raw.endpoint, isString, "endpoint", "a URL") ?? defaults.endpoint),
    repoType: repoType as RepoType,
    repoId: validateRepoId(repo),
    revision: validateRevision(optional(raw.revision, isString, "revision", "a branch name") ?? "main"),
    pathInRepo:
      target.kind === "file"
        ? filePathInRepo(givenPathInRepo, target.absolute)
        : normalizePathInRepo(givenPathInRepo ?? ""),
  };
  const createPr = optional(raw.createPr, isBoolean, "createPr", "true or false") ?? false;
  if (createPr) checkCreatePrRevision(spec.revision);
  const message =
    optional(raw.message, isString, "message", "text") ??
    (target.kind === "file" ? defaultFileCommitMessage(spec.pathInRepo) : DEFAULT_COMMIT_MESSAGE);
  if (message.trim() === "") throw bad("ERR_USAGE", "the commit message must not be empty");
  const tokenFile = optional(raw.tokenFile, isString, "tokenFile", "a path");
  const options: JobOptions = {
    include,
    exclude,
    message,
    commitDescription: optional(raw.commitDescription, isString, "commitDescription", "text") ?? "",
    visibility: parseVisibility(raw),
    spaceSdk: parseSpaceSdk(raw.spaceSdk, repoType as RepoType),
    tokenFile: tokenFile === undefined ? null : path.resolve(defaults.cwd, tokenFile),
    watch,
    everyMinutes: every ?? null,
    deleteRemote,
    createPr,
    deletePatterns,
    transfer: parseTransfer(raw.transfer),
  };
  return { spec, options };
}
