import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createEngine } from "../../core/create-engine.js";
import type { Engine } from "../../core/engine.js";
import type { EngineTuning } from "../../core/engine-tuning.js";
import { UndiciHubClient } from "../../core/hub/undici-hub-client.js";
import type { UndiciHubClientOptions } from "../../core/hub/undici-hub-client-options.js";
import { parseJobInput } from "../../core/job-input.js";
import { silentLogger } from "../../core/logger.js";
import { type EmulatorOptions, type RunningEmulator, startEmulator } from "../../emulator/start-emulator.js";
import type { JobRecord, Journal } from "../../storage/journal.js";
import { openJournal } from "../../storage/sqlite-journal.js";

export const WRITE_TOKEN = "hf_harness_write";
export const READ_TOKEN = "hf_harness_read";

/** Waits short: the tests run the real loops, only the pauses between them are shortened. */
export const FAST_TUNING: Partial<EngineTuning> = {
  flushIntervalMs: 300,
  idlePollMs: 50,
  backoffBaseMs: 20,
  backoffCapMs: 400,
};

export interface Harness {
  readonly root: string;
  readonly folder: string;
  readonly emulator: RunningEmulator;
  readonly accessLog: string;
  readonly journal: Journal;
  readonly engine: Engine;
  token: string;
  /** Adds the harness folder (or another) as a job for `repo`. */
  add(repo: string, extra?: Record<string, unknown>): JobRecord;
  /** Access-log lines of the emulator so far. */
  requests(): Array<{
    route: string;
    status: number;
    fault: string | null;
    oid: string | null;
    partNumber: number | null;
  }>;
  /** Stops the engine and opens a fresh one on the same journal (a restart without a crash). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(
  options: {
    emulator?: EmulatorOptions;
    tuning?: Partial<EngineTuning>;
    hashWorkers?: number;
    /** Upload connections the engine starts with (default: createEngine's). */
    uploadWorkers?: number;
    /** Options of each job's UndiciHubClient (timeouts…); endpoint and token come from the job. */
    hub?: Partial<UndiciHubClientOptions>;
  } = {},
): Promise<Harness> {
  const root = mkdtempSync(path.join(tmpdir(), "hubpush-it-"));
  const folder = path.join(root, "data");
  mkdirSync(folder);
  const accessLog = path.join(root, "access.log");
  const emulator = await startEmulator({
    tokens: [`${WRITE_TOKEN}:write:user`, `${READ_TOKEN}:read:user`, "hf_other_user:write:alice"],
    accessLog,
    dataDir: path.join(root, "emulator"),
    ...options.emulator,
  });
  const journal = openJournal(path.join(root, "state", "journal.sqlite"));
  const makeEngine = (): Engine =>
    createEngine({
      journal,
      tokenFor: async () => harness.token,
      logger: silentLogger,
      settings: {
        hashWorkers: options.hashWorkers ?? 2,
        ...(options.uploadWorkers === undefined ? {} : { uploadWorkers: options.uploadWorkers }),
      },
      tuning: { ...FAST_TUNING, ...options.tuning },
      ...(options.hub === undefined
        ? {}
        : {
            hubFor: (job: JobRecord, token: () => Promise<string>) =>
              new UndiciHubClient({ ...options.hub, endpoint: job.endpoint, token }),
          }),
    });
  let engine = makeEngine();
  engine.start();
  const harness: Harness = {
    root,
    folder,
    emulator,
    accessLog,
    journal,
    get engine() {
      return engine;
    },
    token: WRITE_TOKEN,
    add(repo, extra = {}) {
      const { spec, options: jobOptions } = parseJobInput(
        { folder, repo, endpoint: emulator.url, ...extra },
        { endpoint: emulator.url, cwd: root },
      );
      return engine.addJob(spec, jobOptions);
    },
    requests() {
      let text = "";
      try {
        text = readFileSync(accessLog, "utf8");
      } catch {
        return [];
      }
      return text
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => JSON.parse(l) as ReturnType<Harness["requests"]>[number]);
    },
    async restart() {
      await engine.stop(5_000);
      engine = makeEngine();
      engine.start();
    },
    async close() {
      await engine.stop(2_000);
      journal.close();
      await emulator.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
  return harness;
}
