import t from "tap";
import { formatLogLine } from "../../../cli/render/format-log-line.js";
import { createStyle } from "../../../cli/render/style.js";

const plain = createStyle(false);

t.test("a pino record becomes time, level, message and fields", async (t) => {
  const line = JSON.stringify({
    level: 40,
    time: Date.UTC(2026, 0, 2, 3, 4, 5, 6),
    pid: 42,
    hostname: "box",
    msg: "hub not reachable, will retry",
    jobId: 3,
    attempt: 2,
    repo: "alice/model",
    err: { type: "HubpushError", message: "connection reset", code: "ERR_HUB_NETWORK", stack: "…" },
  });
  t.equal(
    formatLogLine(line, plain),
    '2026-01-02T03:04:05.006Z WARN  hub not reachable, will retry jobId=3 attempt=2 repo=alice/model err="connection reset (ERR_HUB_NETWORK)"',
  );
});

t.test("errors are red, and text that is not JSON passes through", async (t) => {
  t.match(
    formatLogLine(JSON.stringify({ level: 50, time: 0, msg: "boom" }), createStyle(true)),
    "\x1b[31mERROR",
  );
  t.equal(formatLogLine("not json {", plain), "not json {");
  t.equal(formatLogLine("[1,2]", plain), "[1,2]");
});
