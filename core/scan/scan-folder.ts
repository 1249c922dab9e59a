import { type BigIntStats, type Dir, type Dirent, lstatSync, opendirSync, readdirSync } from "node:fs";
import { stat } from "node:fs/promises";
import { sep } from "node:path";
import type { ErrorCode } from "../../common/error-codes.js";
import { HubpushError } from "../../common/hubpush-error.js";
import { toFileStat } from "../hash/to-file-stat.js";
import { checkFolder } from "./check-folder.js";
import { createPathFilter } from "./path-filter.js";
import { resolveSymlink } from "./resolve-symlink.js";
import type { ScanEntry } from "./scan-entry.js";

export { checkFolder } from "./check-folder.js";
export type { ScanEntry } from "./scan-entry.js";

export interface ScanOptions {
  /** --include globs (picomatch, matched against the POSIX relative path); empty = everything. */
  include?: readonly string[];
  /** --exclude globs; exclude wins over include. */
  exclude?: readonly string[];
  /** Absolute paths never to scan (e.g. the state directory when it is inside the folder). */
  excludeAbsolute?: readonly string[];
  /** Read the folder's root .gitignore (default true). */
  useGitignore?: boolean;
  /** Stops the scan: the generator throws the signal's reason at its next step. */
  signal?: AbortSignal;
}

interface Frame {
  /** A directory listed at once (small, see LISTED_AT_ONCE_BYTES); null: streamed from `dir`. */
  readonly listed: Dirent[] | null;
  /** The next entry of `listed` to hand out. */
  next: number;
  /** The open directory of a streamed listing (null when listed at once). */
  readonly dir: Dir | null;
  readonly relPath: string;
  /** The directory's absolute path with a trailing separator: an entry's path is one concatenation. */
  readonly absPrefix: string;
  /** An include pattern matched this directory or a parent: everything inside is included. */
  readonly included: boolean;
  /** Entries listed so far. */
  entries: number;
}

/**
 * The walk uses the synchronous calls (readdirSync or opendirSync, lstatSync): a promise call costs
 * a thread-pool round trip per entry, which made a restart over committed files 15–20× slower
 * than a plain synchronous walk (issue 16). To keep the event loop responsive (daemon control
 * socket, other jobs' stages), the walk gives the loop a turn after this many entries.
 */
const ENTRIES_PER_TURN = 500;

/** Entries one readdir syscall returns (Node's default is 32). */
const DIR_BUFFER = 256;

/**
 * A directory whose own size (st_size: its entries' storage, about 32 bytes per entry on ext4) is
 * at most this is listed in one readdirSync; a larger one is streamed through opendir, so a folder
 * of millions of entries is never held as a list. One call instead of one Dir.readSync per entry
 * took a sixth off the walk of a restart over 100,000 files (issue 16 item 2). The stack holds at
 * most one such list per level of the path being walked.
 */
export const LISTED_AT_ONCE_BYTES = 128n * 1024n;

/** Lists a directory: at once when it is small, else through an open Dir (see LISTED_AT_ONCE_BYTES). */
function openListing(absPath: string, size: bigint): { listed: Dirent[] | null; dir: Dir | null } {
  if (size <= LISTED_AT_ONCE_BYTES)
    return { listed: readdirSync(absPath, { withFileTypes: true }), dir: null };
  return { listed: null, dir: opendirSync(absPath, { bufferSize: DIR_BUFFER }) };
}

/** The frame's next entry, null at its end. */
function readEntry(frame: Frame): Dirent | null {
  if (frame.listed !== null) return frame.listed[frame.next++] ?? null;
  return (frame.dir as Dir).readSync();
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The Hub keeps at most this many entries in one folder of a repo (its upload guides warn above). */
export const MAX_ENTRIES_PER_FOLDER = 10_000;

/**
 * Walks the folder depth-first and yields each file to upload and each entry it must report. Only
 * the directories on the current path are held (small ones as their list of entries, large ones
 * as an open directory: LISTED_AT_ONCE_BYTES), never the list of files, so memory does not grow
 * with the folder. Throws a HubpushError when the folder itself is unusable (checkFolder) or
 * disappears during the walk; problems below it are `skipped` entries and the walk goes on.
 * Entries deleted while the walk runs are dropped silently: they no longer exist.
 */
export async function* scanFolder(folder: string, options: ScanOptions = {}): AsyncGenerator<ScanEntry> {
  // Chunks of one: each entry is handed over before the next is read, so an abort or a break
  // right after an entry stops the walk there, with the directories on its path still open.
  for await (const chunk of walk(folder, options, 1)) yield* chunk;
}

/**
 * scanFolder's entries in the chunks the walk produces between two turns of the event loop (at
 * most ENTRIES_PER_TURN): one promise per chunk instead of one per entry, for the scan job, which
 * consumes a whole folder (a restart over 100,000 files paid for 100,000 generator steps).
 */
export function scanFolderChunks(folder: string, options: ScanOptions = {}): AsyncGenerator<ScanEntry[]> {
  return walk(folder, options, ENTRIES_PER_TURN);
}

async function* walk(folder: string, options: ScanOptions, chunkSize: number): AsyncGenerator<ScanEntry[]> {
  const { signal } = options;
  const root = await checkFolder(folder);
  const rootStat = await stat(root, { bigint: true });
  const filter = await createPathFilter(root, options);
  const stack: Frame[] = [];
  let out: ScanEntry[] = [];
  try {
    stack.push({
      ...openListing(root, rootStat.size),
      next: 0,
      relPath: "",
      absPrefix: root.endsWith(sep) ? root : root + sep,
      included: false,
      entries: 0,
    });
    let sinceTurn = 0;
    for (;;) {
      if (out.length >= chunkSize) {
        yield out;
        out = [];
      }
      if (++sinceTurn >= ENTRIES_PER_TURN) {
        sinceTurn = 0;
        if (out.length > 0) {
          yield out;
          out = [];
        }
        await nextTurn();
      }
      signal?.throwIfAborted();
      const frame = stack.at(-1);
      if (frame === undefined) {
        if (out.length > 0) yield out;
        out = [];
        await assertSameFolder(root, rootStat);
        return;
      }
      let name: string;
      try {
        const dirent = readEntry(frame);
        if (dirent === null) {
          stack.pop();
          frame.dir?.closeSync();
          continue;
        }
        name = dirent.name;
        frame.entries += 1;
        if (frame.entries === MAX_ENTRIES_PER_FOLDER + 1) {
          out.push({
            kind: "warning",
            path: frame.relPath === "" ? "." : frame.relPath,
            message: `this folder has more than ${MAX_ENTRIES_PER_FOLDER} entries, more than the Hub keeps in one folder of a repo: its commits may be refused or slow; spread the files over subfolders`,
          });
        }
      } catch (err) {
        stack.pop();
        if (frame.dir !== null) closeQuietly(frame.dir);
        if (!isGone(err)) out.push(unreadableFolder(frame.relPath, err));
        continue;
      }
      const relPath = frame.relPath === "" ? name : `${frame.relPath}/${name}`;
      const absPath = frame.absPrefix + name;
      if (filter.isHidden(relPath, absPath)) continue;

      let st: BigIntStats;
      try {
        // lstat for every entry: the dirent type can be unknown on some filesystems, and files
        // need the bigint stat anyway.
        st = lstatSync(absPath, { bigint: true });
      } catch (err) {
        // A name that is not UTF-8 reaches us with U+FFFD in place of its bytes: that path does
        // not exist, and the Hub could not hold the real one anyway. Say so rather than drop it.
        if (name.includes("\uFFFD"))
          out.push(
            skipped(
              relPath,
              "ERR_PATH_INVALID",
              "its name is not valid UTF-8 and the Hub stores UTF-8 paths: rename it (e.g. with convmv)",
            ),
          );
        else if (!isGone(err))
          out.push(skipped(relPath, "ERR_FILE_UNREADABLE", `cannot stat it (${errnoOf(err)})`));
        continue;
      }

      if (st.isDirectory()) {
        const decision = filter.directory(relPath, frame.included);
        if (decision === null) continue;
        try {
          stack.push({
            ...openListing(absPath, st.size),
            next: 0,
            relPath,
            absPrefix: absPath + sep,
            included: decision.included,
            entries: 0,
          });
        } catch (err) {
          if (!isGone(err)) out.push(unreadableFolder(relPath, err));
        }
        continue;
      }
      if (!filter.file(relPath, frame.included)) continue;
      if (st.isFile()) {
        out.push({ kind: "file", file: { path: relPath, ...toFileStat(st) } });
      } else if (st.isSymbolicLink()) {
        const entry = await resolveSymlink(root, absPath, relPath, filter);
        if (entry !== null) out.push(entry);
      } else {
        // Never opened: opening a FIFO blocks until a writer comes.
        out.push(skipped(relPath, "ERR_FILE_NOT_REGULAR", `${specialKind(st)} is not a regular file`));
      }
    }
  } finally {
    // The consumer may stop early (break, abort, error): close what is still open.
    for (const frame of stack.splice(0).reverse()) if (frame.dir !== null) closeQuietly(frame.dir);
  }
}

function closeQuietly(dir: Dir): void {
  try {
    dir.closeSync();
  } catch {
    // already closed, or the folder went away: nothing to release
  }
}

/**
 * A folder deleted, moved or unmounted during the walk looks like a folder whose files all went
 * away; the caller would then record mass deletions. Refuse such a scan instead.
 */
async function assertSameFolder(root: string, before: BigIntStats): Promise<void> {
  const after = await stat(root, { bigint: true }).catch(() => null);
  if (after !== null && after.ino === before.ino && after.dev === before.dev) return;
  throw new HubpushError(
    "ERR_FOLDER_NOT_FOUND",
    `folder ${root} disappeared or was replaced while it was being scanned; the scan is not used, check the folder and scan again`,
    { details: { path: root } },
  );
}

function skipped(path: string, code: ErrorCode, reason: string): ScanEntry {
  return { kind: "skipped", path, code, reason };
}

function unreadableFolder(relPath: string, err: unknown): ScanEntry {
  return skipped(
    relPath === "" ? "." : relPath,
    "ERR_FOLDER_UNREADABLE",
    `cannot list this folder (${errnoOf(err)}); its files are not uploaded until it is readable (chmod u+rx)`,
  );
}

function specialKind(st: BigIntStats): string {
  if (st.isFIFO()) return "a FIFO (named pipe)";
  if (st.isSocket()) return "a socket";
  if (st.isBlockDevice()) return "a block device";
  if (st.isCharacterDevice()) return "a character device";
  return "a special file";
}

/** The entry was deleted or replaced while the walk ran. */
function isGone(err: unknown): boolean {
  const errno = errnoOf(err);
  return errno === "ENOENT" || errno === "ENOTDIR";
}

function errnoOf(err: unknown): string {
  return (err as NodeJS.ErrnoException | null)?.code ?? (err instanceof Error ? err.message : String(err));
}
