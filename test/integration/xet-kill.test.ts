import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import t from "tap";
import { startEmulator } from "../../emulator/start-emulator.js";
import { openJournal } from "../../storage/sqlite-journal.js";
import { noise } from "../helpers/noise.js";
import { downloadRemoteFile } from "../helpers/remote-repo.js";
import { runCli, spawnCli } from "../helpers/run-cli.js";

const MiB = 1024 * 1024;
const TOKEN = "hf_xet_kill";
const FILES = 5;

interface AccessLine {
  route: string;
  status: number;
  oid: string | null;
}

function lines(file: string): AccessLine[] {
  try {
    return readFileSync(file, "utf8")
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as AccessLine);
  } catch {
    return [];
  }
}

const ok = (l: AccessLine, route: string) => l.route === route && l.status === 200;

/**
 * The moments of a Xet upload a SIGKILL is aimed at (the access log says when one is reached):
 * during xorb uploads, after the last xorb and before the shards are registered, and after the
 * shards and before the commit. Latency faults hold each window open long enough to hit it.
 */
const MOMENTS: Record<
  string,
  { faults: string; reached: (log: AccessLine[]) => boolean; settleMs?: number }
> = {
  "during xorb uploads": {
    faults: "route=xet-xorb,kind=latency,ms=400",
    reached: (log) => log.filter((l) => ok(l, "xet-xorb")).length >= 2,
  },
  "between the last xorb and the shard": {
    faults: "route=xet-shard,kind=latency,ms=4000",
    reached: (log) => log.filter((l) => ok(l, "xet-xorb")).length >= 1,
    // The first file's xorb is stored and journaled; its shard is held by the latency fault.
    settleMs: 1000,
  },
  "between the shard and the commit": {
    faults: "route=commit,kind=latency,ms=4000",
    reached: (log) => log.filter((l) => ok(l, "xet-shard")).length >= FILES,
  },
};

t.test(
  "a Xet upload survives SIGKILL at each moment; no xorb recorded as stored is sent again",
  async (t) => {
    const root = mkdtempSync(path.join(tmpdir(), "hubpush-xet-kill-"));
    t.teardown(() => rmSync(root, { recursive: true, force: true }));
    const tokenFile = path.join(root, "token");
    writeFileSync(tokenFile, `${TOKEN}\n`);

    let seed = 0;
    for (const [moment, plan] of Object.entries(MOMENTS)) {
      seed++;
      await t.test(moment, async (t) => {
        const dir = path.join(root, `m${seed}`);
        const folder = path.join(dir, "data");
        const home = path.join(dir, "home");
        mkdirSync(folder, { recursive: true });
        const accessLog = path.join(dir, "access.log");
        const emulator = await startEmulator({
          tokens: [`${TOKEN}:write:user`],
          accessLog,
          lfsThresholdBytes: 0,
          faults: plan.faults,
        });
        t.teardown(() => emulator.close());
        const files = new Map<string, Buffer>();
        for (let i = 0; i < FILES; i++) files.set(`f${i}.bin`, noise(3 * MiB + i, 100 * seed + i));
        for (const [name, bytes] of files) writeFileSync(path.join(folder, name), bytes);
        const repoId = `user/xet-kill-${seed}`;
        const args = [
          "upload",
          folder,
          "--repo",
          repoId,
          "--endpoint",
          emulator.url,
          "--token-file",
          tokenFile,
        ];
        args.push("--transfer", "xet", "--workers", "1");
        const env = { HUBPUSH_HOME: home, NO_COLOR: "1" };

        const child = spawnCli(args, { env });
        child.stdout?.resume();
        child.stderr?.resume();
        const exited = new Promise<NodeJS.Signals | null>((resolve) =>
          child.on("exit", (_c, s) => resolve(s)),
        );
        const giveUp = Date.now() + 120_000;
        while (child.exitCode === null && !plan.reached(lines(accessLog)) && Date.now() < giveUp) {
          await new Promise((r) => setTimeout(r, 20));
        }
        await new Promise((r) => setTimeout(r, plan.settleMs ?? 0));
        child.kill("SIGKILL");
        t.equal(await exited, "SIGKILL", "the kill landed on a running upload");
        const mark = lines(accessLog).length;

        const journal = openJournal(path.join(home, "journal.sqlite"));
        const stored = new Set<string>();
        for (const l of lines(accessLog)) {
          if (
            ok(l, "xet-xorb") &&
            l.oid !== null &&
            journal.xet.getXorb(emulator.url, l.oid)?.state === "uploaded"
          )
            stored.add(l.oid);
        }
        journal.close();
        t.comment(`${moment}: ${stored.size} xorb(s) recorded as stored at the kill`);

        const second = await runCli(args, { env, timeoutMs: 180_000 });
        t.equal(second.code, 0, `the re-run completes\n${second.stderr}`);
        const resent = lines(accessLog)
          .slice(mark)
          .filter((l) => l.route === "xet-xorb" && l.oid !== null && stored.has(l.oid));
        t.same(resent, [], "no xorb recorded as stored was sent again");
        // A shard is named by the SHA-256 of its body: one content per file, however often it was posted.
        const shards = new Set(
          lines(accessLog)
            .filter((l) => ok(l, "xet-shard"))
            .map((l) => l.oid),
        );
        t.equal(shards.size, FILES, "no shard registered twice with different content");
        const repo = { endpoint: emulator.url, id: repoId, token: TOKEN };
        for (const [name, bytes] of files) {
          t.ok((await downloadRemoteFile(repo, name)).equals(bytes), `${name} is identical`);
        }
        const after = openJournal(path.join(home, "journal.sqlite"));
        try {
          t.same(after.integrityCheck(), ["ok"]);
          const job = after.jobs.list()[0];
          const states = after.files
            .list(job?.id ?? 0)
            .map((f) => after.xet.getFile(f.id, f.sha256 ?? "")?.state ?? "none");
          t.same(states, Array(FILES).fill("committed"), "every file version's Xet state is committed");
        } finally {
          after.close();
        }
      });
    }
  },
);
