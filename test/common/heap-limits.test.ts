import { readFileSync } from "node:fs";
import t from "tap";
import { binNodeFlags } from "../../bench/lib/hubpush-cli.js";
import { NODE_HEAP_FLAGS } from "../../common/heap-limits.js";

t.test("the hubpush bin runs with the heap bounds the daemon is spawned with", async (t) => {
  const entry = new URL("../../cli/main.ts", import.meta.url);
  t.match(readFileSync(entry, "utf8").split("\n", 1)[0], /^#!\/usr\/bin\/env -S node /);
  t.same(binNodeFlags(entry.pathname), [...NODE_HEAP_FLAGS]);
});
