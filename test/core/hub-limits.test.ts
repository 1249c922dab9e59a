import t from "tap";
import { DEFAULT_TUNING } from "../../core/engine-tuning.js";

// Issue 12 §7: the Hub states its per-file limit as 50 GB, decimal.
t.test("the per-file limit is 50 × 10⁹ bytes, not 50 GiB", async (t) => {
  t.equal(DEFAULT_TUNING.maxFileBytes, 50_000_000_000);
});
