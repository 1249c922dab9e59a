import path from "node:path";
import { type FSWatcher, watch } from "chokidar";
import type { Logger } from "pino";
import type { Engine } from "../core/engine.js";
import { isDefaultIgnored } from "../core/scan/path-filter.js";
import type { JobRecord } from "../storage/journal.js";
import type { WatchMode } from "./rescan-policy.js";

export interface WatcherStatus {
  readonly mode: WatchMode;
  /** Why events are not used (e.g. the inotify watch limit), or a watcher error; null when fine. */
  readonly warning: string | null;
  /** Last folder event seen (epoch ms). */
  readonly lastEventAt: number | null;
}

export interface FolderWatchersOptions {
  readonly engine: Engine;
  readonly logger: Logger;
  /** Paths never watched (the state directory: its journal writes would wake us forever). */
  readonly excludeAbsolute: readonly string[];
  /** Quiet time before a burst of events is answered by one rescan. */
  readonly debounceMs: number;
  readonly now?: () => number;
  /** chokidar's watch (tests wrap it to inject a watcher failure such as ENOSPC). */
  readonly watch?: typeof watch;
}

interface Entry {
  readonly jobId: number;
  readonly folder: string;
  watcher: FSWatcher | null;
  mode: WatchMode;
  warning: string | null;
  lastEventAt: number | null;
  timer: NodeJS.Timeout | null;
  scanning: boolean;
  /** An event arrived since the last rescan started. */
  dirty: boolean;
  /** No rescan starts before this (twice the last scan's duration: big folders are not rewalked nonstop). */
  notBefore: number;
}

/** Errors that mean the kernel will not give us (more) watches: fall back to periodic rescans. */
const OUT_OF_WATCHES = new Set(["ENOSPC", "EMFILE", "ENFILE"]);

/**
 * One chokidar watcher per active watch job. Events are not trusted to describe the change: a burst
 * of them triggers one rescan of the folder (the scan applies every filter and decides what changed,
 * new, or vanished), so an event lost or misread costs latency, never correctness.
 */
export class FolderWatchers {
  readonly #options: FolderWatchersOptions;
  readonly #now: () => number;
  readonly #entries = new Map<number, Entry>();

  constructor(options: FolderWatchersOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** Starts watchers for active watch jobs and closes the others'. */
  sync(jobs: readonly JobRecord[]): void {
    const wanted = new Map(jobs.filter((j) => j.state === "active" && j.options.watch).map((j) => [j.id, j]));
    for (const [id, entry] of this.#entries) {
      if (wanted.get(id)?.folder !== entry.folder) void this.#close(entry);
    }
    for (const job of wanted.values()) if (!this.#entries.has(job.id)) this.#start(job);
  }

  status(jobId: number): WatcherStatus | null {
    const e = this.#entries.get(jobId);
    return e === undefined ? null : { mode: e.mode, warning: e.warning, lastEventAt: e.lastEventAt };
  }

  async closeAll(): Promise<void> {
    const all = [...this.#entries.values()];
    await Promise.all(all.map((e) => this.#close(e)));
  }

  #start(job: JobRecord): void {
    const entry: Entry = {
      jobId: job.id,
      folder: job.folder,
      watcher: null,
      mode: "starting",
      warning: null,
      lastEventAt: null,
      timer: null,
      scanning: false,
      dirty: false,
      notBefore: 0,
    };
    this.#entries.set(job.id, entry);
    const hidden = this.#options.excludeAbsolute.map((p) => path.resolve(p));
    const watcher = (this.#options.watch ?? watch)(job.folder, {
      ignoreInitial: true,
      persistent: true,
      // The scan follows symlinks inside the folder; watching through them could leave it.
      followSymlinks: false,
      ignored: (p: string) => {
        if (hidden.some((h) => p === h || p.startsWith(h + path.sep))) return true;
        const rel = path.relative(job.folder, p).split(path.sep).join("/");
        return rel !== "" && isDefaultIgnored(rel);
      },
    });
    entry.watcher = watcher;
    watcher.on("ready", () => {
      if (entry.mode === "starting") entry.mode = "events";
      // A file written after the job's last scan but before the watcher was ready raised no event:
      // one rescan now closes that window.
      this.#rescanSoon(entry);
    });
    watcher.on("all", () => this.#onEvent(entry));
    watcher.on("error", (err: unknown) => this.#onError(entry, err));
  }

  #onEvent(entry: Entry): void {
    entry.lastEventAt = this.#now();
    this.#rescanSoon(entry);
  }

  #rescanSoon(entry: Entry): void {
    entry.dirty = true;
    this.#schedule(entry);
  }

  #schedule(entry: Entry): void {
    if (entry.timer !== null || entry.scanning || !this.#entries.has(entry.jobId)) return;
    const wait = Math.max(this.#options.debounceMs, entry.notBefore - this.#now());
    entry.timer = setTimeout(() => {
      void this.#rescan(entry);
    }, wait);
  }

  async #rescan(entry: Entry): Promise<void> {
    entry.timer = null;
    entry.dirty = false;
    entry.scanning = true;
    const started = this.#now();
    try {
      await this.#options.engine.rescan(entry.jobId);
    } catch (err) {
      this.#options.logger.warn({ err, jobId: entry.jobId }, "rescan after folder events failed");
    } finally {
      entry.scanning = false;
      const took = this.#now() - started;
      entry.notBefore = this.#now() + Math.max(this.#options.debounceMs, 2 * took);
      if (entry.dirty) this.#schedule(entry);
    }
  }

  #onError(entry: Entry, err: unknown): void {
    const code = (err as NodeJS.ErrnoException | null)?.code ?? "";
    const { logger } = this.#options;
    if (OUT_OF_WATCHES.has(code)) {
      entry.mode = "polling";
      entry.warning =
        code === "ENOSPC"
          ? "the inotify watch limit is reached (ENOSPC): changes are found by periodic rescans every --every minutes; raise fs.inotify.max_user_watches to get events back"
          : `too many open files (${code}): changes are found by periodic rescans every --every minutes`;
      logger.warn({ jobId: entry.jobId, code }, "folder watcher failed; falling back to periodic rescans");
      const watcher = entry.watcher;
      entry.watcher = null;
      void watcher?.close().catch(() => {});
      // Something may have changed unseen while the watcher was failing.
      this.#rescanSoon(entry);
      return;
    }
    entry.warning = `folder watcher error: ${err instanceof Error ? err.message : String(err)}`;
    logger.warn({ jobId: entry.jobId, err }, "folder watcher error");
    // The folder itself may be gone (unmounted): the rescan finds out and pauses the job.
    this.#rescanSoon(entry);
  }

  async #close(entry: Entry): Promise<void> {
    this.#entries.delete(entry.jobId);
    if (entry.timer !== null) clearTimeout(entry.timer);
    entry.timer = null;
    const watcher = entry.watcher;
    entry.watcher = null;
    await watcher?.close().catch(() => {});
  }
}
