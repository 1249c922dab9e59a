import os from "node:os";
import t from "tap";
import { HubpushError } from "../../common/hubpush-error.js";
import { resolveStatePaths } from "../../daemon/state-paths.js";

t.test("HUBPUSH_HOME wins, then XDG_STATE_HOME, then ~/.local/state", async (t) => {
  const explicit = resolveStatePaths({ HUBPUSH_HOME: "/srv/hp", XDG_STATE_HOME: "/x", HOME: "/home/a" });
  t.same(explicit, {
    home: "/srv/hp",
    journal: "/srv/hp/journal.sqlite",
    socket: "/srv/hp/hubpush.sock",
    lock: "/srv/hp/daemon.lock",
    logDir: "/srv/hp/logs",
    logFile: "/srv/hp/logs/daemon.log",
  });
  t.equal(resolveStatePaths({ XDG_STATE_HOME: "/x/state", HOME: "/home/a" }).home, "/x/state/hubpush");
  t.equal(resolveStatePaths({ HOME: "/home/a" }).home, "/home/a/.local/state/hubpush");
  t.equal(
    resolveStatePaths({ XDG_STATE_HOME: "relative", HOME: "/home/a" }).home,
    "/home/a/.local/state/hubpush",
    "a relative XDG_STATE_HOME is ignored, as the XDG spec says",
  );
  t.equal(resolveStatePaths({ HUBPUSH_HOME: "" }).home, `${os.homedir()}/.local/state/hubpush`);
});

t.test("a socket path over 107 bytes is refused with advice", async (t) => {
  const long = `/tmp/${"d".repeat(100)}`;
  const err = t.throws(() => resolveStatePaths({ HUBPUSH_HOME: long })) as unknown;
  t.ok(err instanceof HubpushError);
  t.equal((err as HubpushError).code, "ERR_SOCKET_PATH_TOO_LONG");
  t.match((err as HubpushError).message, /set HUBPUSH_HOME to a shorter path/);
  // 107 bytes exactly still fits.
  const fits = `/tmp/${"e".repeat(107 - "/tmp/".length - "/hubpush.sock".length)}`;
  t.equal(Buffer.byteLength(resolveStatePaths({ HUBPUSH_HOME: fits }).socket), 107);
});
