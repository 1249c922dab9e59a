import t from "tap";
import { retryAfterMs } from "../../../core/hub/retry-after-ms.js";

t.test("Retry-After delay-seconds and RateLimit r=0;t=", async (t) => {
  t.equal(retryAfterMs({ "retry-after": "3" }), 3000);
  t.equal(retryAfterMs({ "retry-after": "1.5" }), 1500);
  t.equal(
    retryAfterMs({ "retry-after": "Wed, 21 Oct 2015 07:28:00 GMT" }),
    undefined,
    "HTTP dates are ignored",
  );
  t.equal(retryAfterMs({ ratelimit: '"api";r=0;t=55' }), 55_000);
  t.equal(retryAfterMs({ ratelimit: '"api";r=12;t=55' }), undefined, "requests remain: no wait");
  t.equal(retryAfterMs({ ratelimit: '"api";r=0;t=55', "retry-after": "60" }), 60_000, "the longer wins");
  t.equal(retryAfterMs({}), undefined);
});
