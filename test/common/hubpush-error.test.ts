import t from "tap";
import { ERROR_CODES, EXIT, isErrorCode } from "../../common/error-codes.js";
import { HubpushError, toHubpushError } from "../../common/hubpush-error.js";

t.test("a HubpushError carries code, retryable, exit code and HTTP status from the catalogue", async (t) => {
  const err = new HubpushError("ERR_HUB_UNAUTHORIZED", "the Hub refused the token", {
    details: { status: 401 },
  });
  t.equal(err.code, "ERR_HUB_UNAUTHORIZED");
  t.equal(err.retryable, false);
  t.equal(err.exitCode, EXIT.auth);
  t.equal(err.httpStatus, 401);
  t.same(err.toJSON(), {
    code: "ERR_HUB_UNAUTHORIZED",
    message: "the Hub refused the token",
    retryable: false,
    details: { status: 401 },
  });
  t.ok(err instanceof Error);
});

t.test("toHubpushError keeps HubpushErrors and wraps the rest", async (t) => {
  const original = new HubpushError("ERR_HUB_SERVER", "boom", { retryable: true });
  t.equal(toHubpushError(original), original);
  const wrapped = toHubpushError(new TypeError("bad"));
  t.equal(wrapped.code, "ERR_INTERNAL");
  t.equal(wrapped.message, "bad");
  t.ok(wrapped.cause instanceof TypeError);
});

t.test("every code follows ERR_<AREA>_<CONDITION> and has a summary", async (t) => {
  for (const [code, info] of Object.entries(ERROR_CODES)) {
    t.match(code, /^ERR_[A-Z]+(_[A-Z0-9]+)*$/, code);
    t.ok(info.summary.length > 0, `${code} has a summary`);
    t.ok(isErrorCode(code));
  }
  t.notOk(isErrorCode("ERR_NOPE"));
});
