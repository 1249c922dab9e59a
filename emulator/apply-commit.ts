import { createHash, randomBytes } from "node:crypto";
import type { EmulatorState } from "./emulator-state.js";
import { gitBlobSha1 } from "./git-objects.js";
import { HubError } from "./hub-error.js";
import { attributeLineFor, lfsMatcher } from "./lfs-attributes.js";
import type { RefRow, RepoRow } from "./metadata-db.js";
import type { TreeView } from "./repo-store.js";
import { revisionNotFound } from "./resolve-revision.js";
import type { NewEntry } from "./tree-index.js";

export type CommitOp =
  | { readonly kind: "put"; readonly entry: NewEntry }
  | { readonly kind: "delete"; readonly path: string }
  | { readonly kind: "deleteFolder"; readonly path: string };

export interface CommitRequest {
  readonly repo: RepoRow;
  /** The target ref name (`main`, `refs/pr/3`); for createPr the branch the PR starts from. */
  readonly refName: string;
  readonly title: string;
  readonly message: string;
  readonly author: string;
  readonly parentCommit?: string;
  readonly createPr?: boolean;
  readonly ops: readonly CommitOp[];
}

export interface CommitResult {
  readonly commitId: string;
  readonly refName: string;
  readonly prNumber: number | undefined;
}

/** The Hub's exact 412 text (issue 18 §2); clients show it verbatim. */
export const PARENT_MISMATCH = "A commit has happened since. Please refresh and try again.";
const GITATTRIBUTES = ".gitattributes";

function parentMismatch(): HubError {
  return new HubError(412, "ParentCommitMismatch", PARENT_MISMATCH);
}

/** Opens `refs/pr/N` from `parentCommit` (or the branch head) and returns the new ref. */
function openPullRequest(state: EmulatorState, repo: RepoRow, branch: RefRow, parent?: string): RefRow {
  let from: TreeView = { lineId: branch.line_id, seq: branch.head_seq, commitId: branch.head_commit };
  if (parent !== undefined) {
    const c = state.repos.commitByPrefix(repo.id, parent.toLowerCase());
    if (!c) throw parentMismatch();
    from = { lineId: c.line_id, seq: c.seq, commitId: c.id };
  }
  const name = `refs/pr/${state.repos.takePrNumber(repo.id)}`;
  const line = state.repos.newLine(repo.id);
  state.tree.copyLine(from, line);
  state.repos.insertRef(repo.id, name, "pr", line, from);
  const ref = state.repos.getRef(repo.id, name);
  if (!ref) throw new Error("pull request ref vanished after insert");
  return ref;
}

/**
 * Appends `<path> filter=lfs …` to .gitattributes for every LFS path of the commit it does not
 * already cover, as the Hub does, and writes the new .gitattributes in the same commit.
 */
function extendGitattributes(state: EmulatorState, lineId: number, seq: number, lfsPaths: string[]): void {
  if (lfsPaths.length === 0) return;
  const current = state.tree.live(lineId, GITATTRIBUTES);
  const base = current ? state.objects.readObject(current.sha256).toString("utf8") : "";
  const covered = lfsMatcher(base);
  const added = [...new Set(lfsPaths)].filter((p) => !covered(p)).map(attributeLineFor);
  if (added.length === 0) return;
  const sep = base === "" || base.endsWith("\n") ? "" : "\n";
  const content = Buffer.from(`${base}${sep}${added.join("\n")}\n`, "utf8");
  const sha256 = state.objects.putBufferSync(content);
  state.tree.put(lineId, seq, {
    path: GITATTRIBUTES,
    kind: "regular",
    size: content.length,
    sha256,
    blobOid: gitBlobSha1(content),
  });
}

/**
 * Applies a validated commit atomically: one SQLite transaction, so a refused operation (e.g.
 * deleting a missing file) leaves the repo untouched. Cost is O(operations), never O(repo size).
 */
export function applyCommit(state: EmulatorState, request: CommitRequest): CommitResult {
  const { repo } = request;
  return state.repos.transaction(() => {
    let ref = state.repos.getRef(repo.id, request.refName);
    if (!ref) throw revisionNotFound(request.refName);
    let prNumber: number | undefined;
    if (request.createPr) {
      if (ref.kind !== "branch") throw revisionNotFound(request.refName);
      ref = openPullRequest(state, repo, ref, request.parentCommit);
      prNumber = Number(ref.name.slice("refs/pr/".length));
      // As on the Hub, the PR keeps the opening commit's summary as its title and its author.
      state.db
        .prepare(
          "INSERT INTO discussions (repo_id, num, title, description, is_pr, author, created_at) VALUES (?, ?, ?, ?, 1, ?, ?)",
        )
        .run(repo.id, prNumber, request.title, request.message, request.author, Date.now());
    } else if (
      request.parentCommit !== undefined &&
      !ref.head_commit.startsWith(request.parentCommit.toLowerCase())
    ) {
      throw parentMismatch();
    }
    const seq = state.repos.takeSeq(repo.id);
    const lineId = ref.line_id;
    const digest = createHash("sha1");
    const lfsPaths: string[] = [];
    for (const op of request.ops) {
      if (op.kind === "put") {
        state.tree.put(lineId, seq, op.entry);
        if (op.entry.kind === "lfs") lfsPaths.push(op.entry.path);
        digest.update(`put ${op.entry.path} ${op.entry.blobOid}\n`);
      } else if (op.kind === "delete") {
        // As on the Hub, deletedFile naming a folder deletes the folder; only a path that matches
        // nothing is EntryNotFound.
        if (!state.tree.delete(lineId, seq, op.path) && state.tree.deleteFolder(lineId, seq, op.path) === 0) {
          throw new HubError(
            404,
            "EntryNotFound",
            `A file with this name doesn't exist: ${op.path}. Nothing was committed.`,
          );
        }
        digest.update(`delete ${op.path}\n`);
      } else {
        if (state.tree.deleteFolder(lineId, seq, op.path) === 0) {
          throw new HubError(404, "EntryNotFound", `A folder with this name doesn't exist: ${op.path}/.`);
        }
        digest.update(`deleteFolder ${op.path}\n`);
      }
    }
    extendGitattributes(state, lineId, seq, lfsPaths);
    const createdAt = Date.now();
    const commitId = createHash("sha1")
      .update(
        `commit\n${repo.id}\n${lineId}\n${seq}\n${ref.head_commit}\n${request.title}\n${request.message}\n`,
      )
      .update(`${createdAt}\n${digest.digest("hex")}\n${randomBytes(8).toString("hex")}`)
      .digest("hex");
    state.repos.insertCommit(repo.id, {
      id: commitId,
      seq,
      lineId,
      parentId: ref.head_commit,
      title: request.title,
      message: request.message,
      author: request.author,
      createdAt,
    });
    state.repos.setHead(repo.id, ref.name, seq, commitId);
    return { commitId, refName: ref.name, prNumber };
  });
}
