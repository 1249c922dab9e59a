import t from "tap";
import { tuningFromEnv } from "../../cli/tuning-from-env.js";

t.test("HUBPUSH_TUNING overrides known knobs and refuses anything else", async (t) => {
  t.equal(tuningFromEnv(undefined), undefined, "unset: the defaults");
  t.equal(tuningFromEnv("  "), undefined, "empty: the defaults");
  t.same(tuningFromEnv('{"watchStableMs":500,"commitSizes":[10,20]}'), {
    watchStableMs: 500,
    commitSizes: [10, 20],
  });
  for (const [value, why] of [
    ["{nope", /not JSON/],
    ["[1]", /expected an object/],
    ['{"watchStableMS":5}', /unknown knob "watchStableMS"/],
    ['{"idlePollMs":"fast"}', /"idlePollMs" must be a number/],
    ['{"idlePollMs":-1}', /"idlePollMs" must be a number ≥ 0/],
    ['{"commitSizes":[]}', /list of positive whole numbers/],
  ] as const) {
    t.throws(() => tuningFromEnv(value), { code: "ERR_USAGE", message: why }, value);
  }
});
