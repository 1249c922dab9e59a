import t from "tap";
import { HubpushError } from "../../common/hubpush-error.js";
import { classifyFailure } from "../../core/classify-failure.js";

t.test("what a failure means for the job or the file", async (t) => {
  const kind = (code: ConstructorParameters<typeof HubpushError>[0], retryable = false): string =>
    classifyFailure(new HubpushError(code, "x", { retryable })).kind;
  t.equal(kind("ERR_HUB_UNAUTHORIZED"), "job");
  t.equal(kind("ERR_HUB_FORBIDDEN"), "job");
  t.equal(kind("ERR_HUB_REPO_NOT_FOUND"), "job");
  t.equal(kind("ERR_HUB_REVISION_NOT_FOUND"), "job");
  t.equal(kind("ERR_TOKEN_MISSING"), "job");
  t.equal(kind("ERR_HUB_SERVER", true), "transient");
  t.equal(kind("ERR_HUB_RATE_LIMITED", true), "transient");
  t.equal(kind("ERR_HUB_NETWORK", true), "transient");
  t.equal(kind("ERR_HUB_BAD_REQUEST"), "file", "a 4xx about content fails the file, never retried");
  t.equal(kind("ERR_FILE_UNREADABLE"), "file");
  t.equal(kind("ERR_FILE_VANISHED"), "vanished");
  t.equal(kind("ERR_FILE_CHANGED", true), "changed");
  t.equal(classifyFailure(new Error("boom")).kind, "file", "an unknown error is not retried forever");
});
