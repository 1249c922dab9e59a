import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type EmulatorOptions, type RunningEmulator, startEmulator } from "../../emulator/start-emulator.js";
import { listRemoteCommits, listRemoteFiles, type RemoteRepo } from "../helpers/remote-repo.js";
import { type CliResult, runCli } from "../helpers/run-cli.js";

export const WRITE = "hf_bad_write";
export const READ = "hf_bad_read";

/** One emulator and a throwaway root for the `hubpush upload` cases of a test file. */
export interface UploadEnv {
  readonly root: string;
  readonly emulator: RunningEmulator;
  /** A fresh folder under the root. */
  folder(name: string): string;
  /** CLI environment: its own HUBPUSH_HOME (`home`, default a fresh one), an empty HF_HOME, no colour. */
  env(extra?: NodeJS.ProcessEnv, home?: string): NodeJS.ProcessEnv;
  /** `hubpush upload FOLDER --repo REPO --endpoint <emulator> …extra`. */
  upload(folder: string, repo: string, env: NodeJS.ProcessEnv, ...extra: string[]): Promise<CliResult>;
  repo(id: string): RemoteRepo;
  /** Paths on the Hub (without the .gitattributes the Hub adds), sorted. */
  remotePaths(id: string): Promise<string[]>;
  commits(id: string): Promise<number>;
  close(): Promise<void>;
}

export async function startUploadEnv(options: EmulatorOptions = {}): Promise<UploadEnv> {
  const root = mkdtempSync(path.join(tmpdir(), "hp-bad-"));
  const emulator = await startEmulator({
    tokens: [`${WRITE}:write:user`, `${READ}:read:user`],
    dataDir: path.join(root, "emulator"),
    accessLog: path.join(root, "access.log"),
    ...options,
  });
  let homes = 0;
  const self: UploadEnv = {
    root,
    emulator,
    folder(name) {
      const dir = path.join(root, name);
      mkdirSync(dir, { recursive: true });
      return dir;
    },
    env(extra = {}, home) {
      return {
        HUBPUSH_HOME: home ?? path.join(root, `home-${homes++}`),
        HF_HOME: path.join(root, "hf-empty"),
        NO_COLOR: "1",
        ...extra,
      };
    },
    upload(folder, repo, env, ...extra) {
      return runCli(
        [
          "upload",
          folder,
          "--repo",
          repo,
          "--endpoint",
          emulator.url,
          "--progress-interval",
          "100",
          ...extra,
        ],
        { env, timeoutMs: 90_000 },
      );
    },
    repo: (id) => ({ endpoint: emulator.url, id, token: WRITE }),
    async remotePaths(id) {
      const files = await listRemoteFiles(self.repo(id));
      return [...files.keys()].filter((p) => p !== ".gitattributes").sort();
    },
    async commits(id) {
      return (await listRemoteCommits(self.repo(id))).length;
    },
    async close() {
      await emulator.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
  return self;
}
