import t from "tap";
import { countHanded, drainCredit, type HeldBody } from "../../../core/pacing/held-bytes.js";

// A body's last `held` bytes may sit in its socket: they count as the socket drains (credited at
// the connection's share of the rate once nothing more is handed over), never past what was handed.
t.test("held bytes: counted past the hold, then credited while the socket drains", async (t) => {
  const body: HeldBody = { handed: 0, counted: 0, handedAtTick: 0 };
  t.equal(countHanded(body, 5_000, 4_000), 1_000, "a socket's first fill counts only past the hold");
  t.equal(countHanded(body, 1_000, 4_000), 1_000, "then every byte handed counts");
  t.equal(drainCredit([body], 1_000, 1_000), 0, "a body fed during the window is not credited");
  t.equal(drainCredit([body], 1_000, 1_000), 1_000, "a body fed nothing drains at the share: 1 s × 1,000/s");
  t.equal(drainCredit([body], 1_000, 2_500), 2_500, "a longer window, more credit");
  t.equal(drainCredit([body], 1_000, 10_000), 500, "never past the bytes handed");
  t.equal(body.counted, body.handed, "all 6,000 counted");
  t.equal(drainCredit([body], 1_000, 1_000), 0, "nothing left to credit");
  const idle: HeldBody = { handed: 0, counted: 0, handedAtTick: 0 };
  t.equal(drainCredit([idle], 1_000, 1_000), 0, "a body not begun (waiting to start) is not credited");
});
