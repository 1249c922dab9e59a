import path from "node:path";
import { type ErrorCode, isErrorCode } from "../common/error-codes.js";
import { HubpushError } from "../common/hubpush-error.js";
import { createEngine } from "../core/create-engine.js";
import type { EngineSettings } from "../core/engine.js";
import type { EngineTuning } from "../core/engine-tuning.js";
import { type JobStatusJson, toJobStatusJson } from "../daemon/job-status-json.js";
import type { JobOptions, JobRecord, JobSpec } from "../storage/journal.js";
import type { LibraryContext } from "./library-context.js";
import { acquireLocalHost } from "./local-host.js";
import { type UploadResult, uploadResultOf } from "./upload-result.js";

export interface LocalJobRun {
  readonly context: LibraryContext;
  readonly spec: JobSpec;
  readonly options: JobOptions;
  readonly tuning?: Partial<EngineTuning>;
  readonly settings?: Partial<EngineSettings>;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((status: JobStatusJson) => void) | undefined;
  /** How often onProgress is called while the job runs (default 500 ms). */
  readonly progressIntervalMs?: number;
}

/** In-flight requests get this long after an abort; whatever is unfinished is redone by the next call. */
const ABORT_GRACE_MS = 2_000;

/**
 * Runs one job to its end in this process on the CLI's engine and journal, as `hubpush upload`
 * does (cli/upload/run-upload.ts): same job identity, so a call after a crash or an abort finds the
 * job in the journal and resumes it. Resolves with the commits this call made.
 */
export async function runLocalJob(run: LocalJobRun): Promise<UploadResult> {
  const { context, spec } = run;
  if (run.signal?.aborted === true) throw aborted(spec);
  const host = await acquireLocalHost(context.paths, context.logLevel);
  const key = JSON.stringify(spec);
  if (host.running.has(key)) {
    host.release();
    throw new HubpushError(
      "ERR_JOB_STATE",
      `this program is already uploading ${spec.folder} to ${spec.repoId}: await that call before starting another one`,
      { details: { folder: spec.folder, repoId: spec.repoId } },
    );
  }
  host.running.add(key);
  try {
    const engine = createEngine({
      journal: host.journal,
      tokenFor: (job: JobRecord) => context.tokenFor(job.options.tokenFile),
      logger: host.log.logger.child({ component: "library" }),
      ...(run.settings === undefined ? {} : { settings: run.settings }),
      ...(run.tuning === undefined ? {} : { tuning: run.tuning }),
      // The state directory is never scanned, unless it holds the job's folder (uploadFile's spool).
      excludeAbsolute: isInside(spec.folder, context.paths.home) ? [] : [context.paths.home],
    });
    const before = host.journal.jobs.find(spec);
    const lastCommitBefore =
      before === null ? 0 : Math.max(0, ...host.journal.commits.list(before.id).map((c) => c.id));
    const job = engine.addJob(spec, run.options);
    const report = (): void => {
      try {
        run.onProgress?.(toJobStatusJson(engine.progress(job.id)));
      } catch (err) {
        // The caller's callback failing must not crash the upload (it runs from a timer).
        host.log.logger.warn({ err }, "onProgress threw");
      }
    };
    const timer =
      run.onProgress === undefined ? undefined : setInterval(report, run.progressIntervalMs ?? 500);
    let onAbort: () => void = () => {};
    const abortedRun = new Promise<"aborted">((resolve) => {
      onAbort = () => resolve("aborted");
      run.signal?.addEventListener("abort", onAbort, { once: true });
    });
    try {
      const outcome = await Promise.race([engine.whenSettled(job.id), abortedRun]);
      await engine.stop(outcome === "aborted" ? ABORT_GRACE_MS : 0);
      if (outcome === "aborted") throw aborted(spec);
      report();
      return settle(host.journal, outcome, lastCommitBefore);
    } finally {
      clearInterval(timer);
      run.signal?.removeEventListener("abort", onAbort);
      await engine.stop(0).catch(() => {});
    }
  } finally {
    host.running.delete(key);
    host.release();
  }
}

function isInside(folder: string, home: string): boolean {
  const rel = path.relative(home, folder);
  return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel);
}

function aborted(spec: JobSpec): HubpushError {
  return new HubpushError(
    "ERR_INTERRUPTED",
    `the upload of ${spec.folder} to ${spec.repoId} was aborted; progress is kept in the journal: call again with the same options to resume`,
    { details: { folder: spec.folder, repoId: spec.repoId } },
  );
}

function settle(
  journal: Parameters<typeof uploadResultOf>[0],
  job: JobRecord,
  lastCommitBefore: number,
): UploadResult {
  const result = uploadResultOf(journal, job, lastCommitBefore);
  if (job.state === "blocked" && job.blocked !== null) {
    throw new HubpushError(
      codeOf(job.blocked.code),
      `${job.blocked.message}; the work done so far is kept: fix that, then call again to resume`,
      { details: { jobId: job.id, result } },
    );
  }
  if (job.state === "cancelled") {
    throw new HubpushError("ERR_JOB_STATE", `job ${job.id} was cancelled`, {
      details: { jobId: job.id, result },
    });
  }
  if (result.counts.failed.files > 0) {
    const failures = journal.files.list(job.id, { state: "failed", limit: 20 }).map((f) => ({
      path: f.path,
      code: f.lastError?.code ?? "ERR_INTERNAL",
      message: f.lastError?.message ?? "failed",
    }));
    const first = failures[0];
    throw new HubpushError(
      "ERR_JOB_FAILED",
      `${result.counts.failed.files} file(s) could not be uploaded${first === undefined ? "" : `, e.g. ${first.path}: ${first.message}`}; the others were committed`,
      { details: { jobId: job.id, failures, result } },
    );
  }
  return result;
}

function codeOf(code: string): ErrorCode {
  return isErrorCode(code) ? code : "ERR_JOB_BLOCKED";
}
