import { chmodSync, statSync } from "node:fs";
import t from "tap";
import { DaemonLock } from "../../daemon/daemon-lock.js";
import { makeDaemonHome } from "../daemon/fixtures/daemon-home.js";
import { whyNobodyCannotRunSources } from "../helpers/as-nobody.js";
import { connectAsNobody, isRoot, runCliAsNobody } from "./fixtures/as-other-user.js";

// The control API does not authenticate callers (Node exposes no SO_PEERCRED): the 0700 state
// directory and the 0600 socket are the whole guard. Each must refuse another uid on its own.
const mode = (p: string) => statSync(p).mode & 0o777;

t.test("another uid is refused by the 0700 directory and by the 0600 socket, each on its own", async (t) => {
  if (!isRoot) {
    t.pass("other-user case", { skip: "needs root to run a client as uid nobody" });
    return;
  }
  const h = makeDaemonHome();
  t.teardown(async () => {
    chmodSync(h.paths.home, 0o700);
    await h.cli(["daemon", "stop"]);
    await h.cleanup();
  });
  const pid = await h.start();
  // The temp root is 0700 too; open it so the state directory's own mode is what is tested.
  chmodSync(h.root, 0o755);
  t.equal(mode(h.paths.home), 0o700, "state directory 0700");
  t.equal(mode(h.paths.socket), 0o600, "socket 0600");

  t.equal(await connectAsNobody(h.paths.socket), "EACCES", "0700 directory: connect refused");

  const cliWhy = await whyNobodyCannotRunSources();
  if (cliWhy === null) {
    const status = await runCliAsNobody(["status"], h.env);
    t.equal(status.code, 4, "hubpush status as nobody exits 4 (permission)");
    t.match(status.stderr, /permission denied on the control socket.*\(ERR_CONTROL_FORBIDDEN\)/);
    const stop = await runCliAsNobody(["daemon", "stop"], h.env);
    t.equal(stop.code, 4, "hubpush daemon stop as nobody is refused");
    t.match(stop.stderr, /ERR_CONTROL_FORBIDDEN/);
  } else {
    t.comment(`CLI as nobody not run: ${cliWhy}`);
  }

  // Directory traversable (as a mistaken chmod would leave it): the socket's 0600 still refuses.
  chmodSync(h.paths.home, 0o711);
  t.equal(await connectAsNobody(h.paths.socket), "EACCES", "0600 socket: connect refused");

  // The probe itself can succeed: with both modes opened (which the daemon never does) nobody is
  // answered. So the modes are the only guard, and the refusals above came from them.
  chmodSync(h.paths.socket, 0o666);
  t.equal(await connectAsNobody(h.paths.socket), "HTTP/1.1 200 OK", "modes opened: answered");
  chmodSync(h.paths.socket, 0o600);
  chmodSync(h.paths.home, 0o700);

  t.equal(DaemonLock.holder(h.paths.lock), pid, "the daemon still holds its lock");
  const v = await h.client.request<{ pid: number }>("GET", "/v1/version");
  t.equal(v.pid, pid, "and still answers its owner");
});
