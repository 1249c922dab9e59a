import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import t from "tap";
import { openJournal } from "../../storage/sqlite-journal.js";
import { OPTIONS, specFor } from "./contract/contract-helpers.js";
import { recountMatches } from "./recount-files.js";

const WRITER = fileURLToPath(new URL("./fixtures/write-until-killed.ts", import.meta.url));

/** Starts the writer, waits until it printed `line` `times` times, SIGKILLs it, waits for the exit. */
async function killWhen(child: ChildProcess, line: string, times: number): Promise<NodeJS.Signals | null> {
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on("exit", (_code, signal) => resolve(signal)),
  );
  let seen = 0;
  let buffered = "";
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      seen += lines.filter((l) => l === line).length;
      if (seen >= times) resolve();
    });
    child.on("exit", () => reject(new Error(`the writer exited before "${line}" x${times}: ${stderr}`)));
  });
  child.kill("SIGKILL");
  return exited;
}

function newJournalWithJob(path: string): number {
  const journal = openJournal(path);
  const jobId = journal.jobs.upsert(specFor("/data"), OPTIONS).job.id;
  journal.close();
  return jobId;
}

t.test(
  "SIGKILL in the middle of a 50,000-file batch: the batch is absent, earlier work intact",
  async (t) => {
    const path = join(t.testdir(), "journal.db");
    const jobId = newJournalWithJob(path);
    const child = spawn(process.execPath, ["--import", "tsx", WRITER, path, "batch"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    t.equal(await killWhen(child, "in-transaction", 1), "SIGKILL");

    const journal = openJournal(path);
    t.teardown(() => journal.close());
    t.same(journal.integrityCheck(), ["ok"]);
    const files = journal.files.list(jobId);
    t.equal(
      files.filter((f) => f.path.startsWith("committed/")).length,
      1000,
      "the committed batch survived",
    );
    t.equal(files.filter((f) => f.path.startsWith("killed/")).length, 0, "none of the killed batch");
    t.equal(journal.jobs.counts(jobId).total.files, 1000, "counters agree");
  },
);

t.test(
  "SIGKILL during a stream of small transactions: integrity ok and counters equal a recount",
  async (t) => {
    const path = join(t.testdir(), "journal.db");
    const jobId = newJournalWithJob(path);
    const child = spawn(process.execPath, ["--import", "tsx", WRITER, path, "churn"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    t.equal(await killWhen(child, "tick", 15), "SIGKILL");

    const journal = openJournal(path);
    t.teardown(() => journal.close());
    t.same(journal.integrityCheck(), ["ok"]);
    t.ok(journal.jobs.counts(jobId).total.files > 0);
    const raw = new Database(path, { readonly: true });
    t.teardown(() => raw.close());
    recountMatches(t, raw, jobId, journal.jobs.counts(jobId));
  },
);
