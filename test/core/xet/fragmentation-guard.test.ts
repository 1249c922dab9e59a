import t from "tap";
import { FragmentationGuard, GUARD_WINDOW, type GuardTerm } from "../../../core/xet/fragmentation-guard.js";

/** Terms of the given chunk counts, laid end to end. */
function termsOf(sizes: readonly number[]): GuardTerm[] {
  let at = 0;
  return sizes.map((n) => {
    const term = { firstChunk: at, lastChunk: at + n - 1 };
    at += n;
    return term;
  });
}

t.test("no estimate before the window is full: every range is allowed", async (t) => {
  const guard = new FragmentationGuard();
  t.equal(GUARD_WINDOW, 128);
  t.ok(guard.allowsNewRange([]));
  t.ok(guard.allowsNewRange(termsOf(Array(127).fill(1))), "127 one-chunk terms: still allowed");
  t.notOk(guard.allowsNewRange(termsOf(Array(128).fill(1))), "the 128th closes it");
});

t.test("closes below 8 × 0.5 and opens again only above 8 (hysteresis)", async (t) => {
  const guard = new FragmentationGuard();
  // Average exactly 4: not below the low threshold, dedup stays allowed.
  t.ok(guard.allowsNewRange(termsOf(Array(128).fill(4))), "average 4.0 is allowed while open");
  const low = Array(128).fill(4);
  low[0] = 3;
  t.notOk(guard.allowsNewRange(termsOf(low)), "average just under 4 closes it");
  t.notOk(guard.allowsNewRange(termsOf(Array(128).fill(4))), "closed: 4.0 is not enough");
  t.notOk(guard.allowsNewRange(termsOf(Array(128).fill(7))), "closed: 7.0 is not enough");
  const eight = Array(128).fill(7);
  eight[0] = 7 + 128;
  t.ok(guard.allowsNewRange(termsOf(eight)), "average 8 opens it again");
  t.ok(guard.allowsNewRange(termsOf(Array(128).fill(5))), "open again: 5.0 is allowed");
});

t.test("only the last 128 terms count", async (t) => {
  const guard = new FragmentationGuard();
  // One huge term long ago, then 128 one-chunk terms: the huge one has left the window.
  t.notOk(guard.allowsNewRange(termsOf([100_000, ...Array(128).fill(1)])));
  // The same huge term inside the window keeps the average high.
  const fresh = new FragmentationGuard();
  t.ok(fresh.allowsNewRange(termsOf([...Array(10).fill(1), 100_000, ...Array(127).fill(1)])));
});

t.test("the same terms give the same answers (a pass stays deterministic)", async (t) => {
  const sizes = Array.from({ length: 600 }, (_, i) => (i >= 200 && i < 400 ? 20 : (i % 3) + 1));
  const run = (): boolean[] => {
    const guard = new FragmentationGuard();
    const terms = termsOf(sizes);
    return terms.map((_, i) => guard.allowsNewRange(terms.slice(0, i)));
  };
  const first = run();
  t.same(run(), first);
  t.ok(first.includes(false) && first.includes(true), "the sequence both closes and opens");
});
