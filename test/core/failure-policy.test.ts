import t from "tap";
import type { ErrorCode } from "../../common/error-codes.js";
import { HubpushError } from "../../common/hubpush-error.js";
import { decideFailure, FAILURE_TABLE, type FailureSituation } from "../../core/failure-policy.js";
import { HubError } from "../../core/hub/hub-error.js";

const action = (code: ErrorCode, retryable = false, situation?: FailureSituation): string =>
  decideFailure(new HubpushError(code, "x", { retryable }), situation).action;

t.test("every row of the table, one by one", async (t) => {
  const expected: Record<string, [string, string]> = {
    ERR_HUB_UNAUTHORIZED: ["block-job", "block-job"],
    ERR_HUB_FORBIDDEN: ["block-job", "block-job"],
    ERR_HUB_REPO_NOT_FOUND: ["block-job", "block-job"],
    ERR_HUB_REVISION_NOT_FOUND: ["block-job", "block-job"],
    ERR_TOKEN_MISSING: ["block-job", "block-job"],
    ERR_TOKEN_INVALID: ["block-job", "block-job"],
    ERR_JOURNAL_FULL: ["block-job", "block-job"],
    ERR_JOURNAL_READONLY: ["block-job", "block-job"],
    ERR_JOURNAL_IO: ["block-job", "block-job"],
    ERR_JOURNAL_CORRUPT: ["block-job", "block-job"],
    ERR_FOLDER_NOT_FOUND: ["block-job", "pause-job"],
    ERR_FOLDER_NOT_DIRECTORY: ["block-job", "pause-job"],
    ERR_FOLDER_UNREADABLE: ["block-job", "pause-job"],
    ERR_FOLDER_EMPTIED: ["block-job", "pause-job"],
    ERR_PATH_NOT_UPLOADABLE: ["block-job", "pause-job"],
    ERR_FILE_CHANGED: ["rehash-file", "rehash-file"],
    ERR_FILE_VANISHED: ["drop-file", "drop-file"],
    ERR_HUB_UPLOAD_URL_EXPIRED: ["retry", "retry"],
    ERR_XET_UNAVAILABLE: ["block-job", "block-job"],
    ERR_XET_TOKEN_REFUSED: ["block-job", "block-job"],
  };
  t.same(Object.keys(FAILURE_TABLE).sort(), Object.keys(expected).sort(), "a new row needs a line here");
  for (const [code, [oneShot, watch]] of Object.entries(expected)) {
    // The flag never overrides a row: a job-level error is not retried even if marked retryable.
    for (const retryable of [false, true]) {
      t.equal(action(code as ErrorCode, retryable), oneShot, `${code} (retryable ${retryable})`);
      t.equal(action(code as ErrorCode, retryable, { watch: true }), watch, `${code} in a watch job`);
    }
  }
  t.equal(decideFailure(new HubpushError("ERR_HUB_UPLOAD_URL_EXPIRED", "x")).forgetLfsPlan, true);
  t.equal(decideFailure(new HubpushError("ERR_HUB_NETWORK", "x", { retryable: true })).forgetLfsPlan, false);
});

t.test("codes without a row: the retryable flag decides", async (t) => {
  t.equal(action("ERR_HUB_SERVER", true), "retry");
  t.equal(action("ERR_HUB_RATE_LIMITED", true), "retry");
  t.equal(action("ERR_HUB_NETWORK", true), "retry");
  t.equal(action("ERR_HUB_BAD_REQUEST"), "fail-file", "a 4xx about content fails the file, never retried");
  t.equal(action("ERR_FILE_UNREADABLE"), "fail-file");
  t.equal(decideFailure(new Error("boom")).action, "fail-file", "an unknown error is not retried forever");
  t.same(decideFailure(new Error("boom")).info, { code: "ERR_INTERNAL", message: "boom" });
});

t.test(
  "a sent commit: reconciled when it may have been applied or was aborted, else as its code says",
  async (t) => {
    const lost = new HubError("ERR_HUB_NETWORK", "reset", { retryable: true, maybeApplied: true });
    const notSent = new HubError("ERR_HUB_NETWORK", "refused", { retryable: true, maybeApplied: false });
    const refused = new HubError("ERR_HUB_BAD_REQUEST", "bad path", { status: 400 });
    t.equal(decideFailure(lost, { commitSent: { aborted: false } }).action, "reconcile-commit");
    t.equal(decideFailure(notSent, { commitSent: { aborted: true } }).action, "reconcile-commit");
    t.equal(decideFailure(notSent, { commitSent: { aborted: false } }).action, "retry");
    t.equal(decideFailure(refused, { commitSent: { aborted: false } }).action, "fail-file");
    t.equal(decideFailure(lost).action, "retry", "outside a commit, maybeApplied means nothing");
  },
);
