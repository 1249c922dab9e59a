import t from "tap";
import { assertXetKill } from "./xet-kill-assert.js";

// One moment per file so that tap runs the three 300 MiB runs side by side.
t.test("a 300 MiB Xet upload SIGKILLed between its shard and the commit completes on resume", (t) =>
  assertXetKill(t, "commit"),
);
