import { linkSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { HubpushError } from "../common/hubpush-error.js";
import { pidExists, processIdentity } from "./process-identity.js";

/** What a lock file says: the pid on the first line, the process identity (if known) on the second. */
interface LockContent {
  readonly pid: number;
  readonly identity: string | null;
  readonly raw: string;
}

function parse(raw: string): LockContent | null {
  const [first, second] = raw.split("\n");
  const pid = Number(first?.trim());
  if (!Number.isSafeInteger(pid) || pid <= 0) return null;
  const identity = second?.trim() ?? "";
  return { pid, identity: identity === "" ? null : identity, raw };
}

function errnoCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException).code;
}

function readOrNull(file: string): string | null {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    if (errnoCode(err) === "ENOENT") return null;
    throw err;
  }
}

function unlinkIfPresent(file: string): void {
  try {
    unlinkSync(file);
  } catch (err) {
    if (errnoCode(err) !== "ENOENT") throw err;
  }
}

/** Creates `file` with `content` atomically, failing with EEXIST if it exists (never seen half-written). */
function createExclusive(file: string, content: string): boolean {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, content, { mode: 0o600 });
  try {
    linkSync(temp, file);
    return true;
  } catch (err) {
    if (errnoCode(err) === "EEXIST") return false;
    throw err;
  } finally {
    unlinkSync(temp);
  }
}

function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Locks held by this process, by content, so a lock left by an earlier process with our pid is stale. */
const heldHere = new Set<string>();

/** The pid is alive and, where /proc tells, is still the process that wrote the lock. */
function isLive(content: LockContent): boolean {
  if (content.pid === process.pid) return heldHere.has(content.raw);
  if (!pidExists(content.pid)) return false;
  if (content.identity === null) return true;
  const now = processIdentity(content.pid);
  return now === null || now === content.identity;
}

const ATTEMPTS = 200;

/**
 * One owner per state directory: the lock file holds the owner's pid (and, on Linux, its boot id
 * and start time, so a pid reused after a crash or reboot is not mistaken for the owner). It is
 * created with link(2), which fails if a lock exists. A stale lock (dead owner) is removed only by
 * the holder of a short-lived `<lock>.takeover` file, so two starting processes cannot both remove
 * it and both win.
 */
export class DaemonLock {
  readonly path: string;
  readonly pid: number;
  readonly #content: string;
  #released = false;

  private constructor(lockPath: string, content: string) {
    this.path = lockPath;
    this.pid = process.pid;
    this.#content = content;
  }

  /** Takes the lock or throws ERR_DAEMON_RUNNING naming the live holder's pid. */
  static acquire(lockPath: string): DaemonLock {
    const content = `${process.pid}\n${processIdentity(process.pid) ?? ""}\n`;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      if (createExclusive(lockPath, content)) {
        heldHere.add(content);
        return new DaemonLock(lockPath, content);
      }
      const raw = readOrNull(lockPath);
      if (raw === null) continue;
      const seen = parse(raw);
      if (seen !== null && isLive(seen)) {
        throw new HubpushError(
          "ERR_DAEMON_RUNNING",
          `another hubpush process (pid ${seen.pid}) already uses this state directory (lock ${lockPath}): stop it with \`hubpush daemon stop\`, or set HUBPUSH_HOME to another directory`,
          { details: { pid: seen.pid, lock: lockPath } },
        );
      }
      if (!DaemonLock.#removeStale(lockPath, raw, content)) pause(5);
    }
    throw new HubpushError(
      "ERR_DAEMON_RUNNING",
      `could not take the lock ${lockPath}: other processes keep taking it; stop them and try again`,
    );
  }

  /** The pid of the live process holding the lock, or null (no lock, or a stale one). */
  static holder(lockPath: string): number | null {
    const raw = readOrNull(lockPath);
    const content = raw === null ? null : parse(raw);
    return content !== null && isLive(content) ? content.pid : null;
  }

  /** Removes the lock if it still holds `stale`, under the takeover lock. False: someone else is at it. */
  static #removeStale(lockPath: string, stale: string, ours: string): boolean {
    const takeover = `${lockPath}.takeover`;
    if (!createExclusive(takeover, ours)) {
      // Held for microseconds by a live process; a dead holder crashed inside that window.
      const raw = readOrNull(takeover);
      const holder = raw === null ? null : parse(raw);
      if (raw !== null && (holder === null || !isLive(holder)) && readOrNull(takeover) === raw) {
        unlinkIfPresent(takeover);
      }
      return false;
    }
    try {
      // Only the takeover holder unlinks a lock it did not write, so the content checked is the content removed.
      if (readOrNull(lockPath) === stale) unlinkIfPresent(lockPath);
    } finally {
      unlinkIfPresent(takeover);
    }
    return true;
  }

  /** Removes the lock if it is still ours (idempotent). */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    heldHere.delete(this.#content);
    if (readOrNull(this.path) === this.#content) unlinkIfPresent(this.path);
  }
}
