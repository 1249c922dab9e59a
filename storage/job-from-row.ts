import type {
  JobKind,
  JobOptions,
  JobRecord,
  JobState,
  RepoType,
  RepoVisibility,
  SpaceSdk,
} from "./journal.js";
import { SPACE_SDKS, TRANSFER_MODES, type TransferMode } from "./journal-records.js";

export interface JobRow {
  readonly id: number;
  readonly folder: string;
  readonly endpoint: string;
  readonly repo_type: string;
  readonly repo_id: string;
  readonly revision: string;
  readonly path_in_repo: string;
  readonly options: string;
  readonly state: string;
  readonly blocked_code: string | null;
  readonly blocked_message: string | null;
  readonly last_error_code: string | null;
  readonly last_error_message: string | null;
  readonly last_error_at: number | null;
  readonly commits_made: number;
  readonly bytes_hashed: number;
  readonly scan_generation: number;
  readonly last_scan_at: number | null;
  readonly created_at: number;
  readonly updated_at: number;
  readonly finished_at: number | null;
  readonly moved_repo_id: string | null;
  /** Migration single-file; read as "folder" when absent (a row from an older schema). */
  readonly kind?: string;
  readonly pull_request?: number | null;
  readonly pull_request_floor?: number | null;
  readonly deletions_listed_at?: number | null;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

/**
 * Rows written before `visibility` existed hold `private: true|false`, where false only meant
 * "--private not given" (there was no --public): it maps to "default", never to an explicit public.
 */
function parseVisibility(o: Record<string, unknown>): RepoVisibility {
  if (o.visibility === "private" || o.visibility === "public" || o.visibility === "default")
    return o.visibility;
  return o.private === true ? "private" : "default";
}

/**
 * Options are stored as JSON; fields missing from an older row get their defaults, so adding an
 * option needs no migration.
 */
export function parseJobOptions(text: string): JobOptions {
  const raw: unknown = JSON.parse(text);
  const o: Record<string, unknown> =
    typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>) : {};
  return {
    include: stringList(o.include),
    exclude: stringList(o.exclude),
    message: typeof o.message === "string" ? o.message : "",
    commitDescription: typeof o.commitDescription === "string" ? o.commitDescription : "",
    visibility: parseVisibility(o),
    spaceSdk: SPACE_SDKS.includes(o.spaceSdk as SpaceSdk) ? (o.spaceSdk as SpaceSdk) : null,
    tokenFile: typeof o.tokenFile === "string" ? o.tokenFile : null,
    watch: o.watch === true,
    everyMinutes: typeof o.everyMinutes === "number" ? o.everyMinutes : null,
    deleteRemote: o.deleteRemote === true,
    createPr: o.createPr === true,
    deletePatterns: stringList(o.deletePatterns),
    transfer: TRANSFER_MODES.includes(o.transfer as TransferMode) ? (o.transfer as TransferMode) : "auto",
  };
}

export function jobFromRow(row: JobRow): JobRecord {
  return {
    id: row.id,
    folder: row.folder,
    endpoint: row.endpoint,
    repoType: row.repo_type as RepoType,
    repoId: row.repo_id,
    revision: row.revision,
    pathInRepo: row.path_in_repo,
    state: row.state as JobState,
    options: parseJobOptions(row.options),
    blocked:
      row.blocked_code === null ? null : { code: row.blocked_code, message: row.blocked_message ?? "" },
    lastError:
      row.last_error_code === null
        ? null
        : { code: row.last_error_code, message: row.last_error_message ?? "", at: row.last_error_at ?? 0 },
    commitsMade: row.commits_made,
    bytesHashed: row.bytes_hashed,
    scanGeneration: row.scan_generation,
    lastScanAt: row.last_scan_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
    movedRepoId: row.moved_repo_id ?? null,
    kind: (row.kind === "file" ? "file" : "folder") satisfies JobKind,
    pullRequest: row.pull_request ?? null,
    pullRequestFloor: row.pull_request_floor ?? null,
    deletionsListedAt: row.deletions_listed_at ?? null,
  };
}
