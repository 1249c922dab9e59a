import { prng } from "../helpers/folder-tree.js";

const KiB = 1024;
const MiB = 1024 * KiB;

/** How a file travels: inline text, empty, LFS by pattern (*.bin), LFS by size (text over the threshold), multipart. */
export type FileClass = "small" | "empty" | "lfs" | "big-text" | "multipart";

export interface PlannedFile {
  readonly rel: string;
  readonly cls: FileClass;
  readonly size: number;
}

export interface Modification {
  readonly rel: string;
  readonly cls: FileClass;
  readonly size: number;
  readonly mode: "in-place" | "atomic";
  /** When, as a fraction of the cycle's delay before the kill. */
  readonly atFraction: number;
}

export interface KillCycle {
  /** `hubpush daemon start` (detached) or `hubpush daemon run` (a child of the driver). */
  readonly launch: "start" | "run";
  /** Killed `delayMs` after the spawn, whether or not the daemon answers yet (start-up, recovery). */
  readonly earlyKill: boolean;
  /**
   * Kill as soon as the job is seen in this phase (polled), instead of after a plain delay: the
   * windows that matter most (a commit or a multipart upload in flight) are too short to be hit
   * often by chance. Gives up and kills anyway after 2 × delayMs.
   */
  readonly target: "commit in flight" | "LFS upload" | null;
  /** Wait before the SIGKILL, from readiness (or from the spawn for an early kill). */
  readonly delayMs: number;
  readonly modifications: readonly Modification[];
}

export type ChaosScale = "short" | "long";

export interface ChaosPlan {
  readonly seed: number;
  readonly files: readonly PlannedFile[];
  readonly cycles: readonly KillCycle[];
  readonly emulatorSeed: number;
}

/** Emulator limits that make LFS, LFS-by-size and multipart files small (docs/emulator.md). */
export const EMULATOR_LIMITS = {
  lfsThresholdBytes: MiB,
  multipartThresholdBytes: 2 * MiB,
  multipartChunkBytes: 512 * KiB,
} as const;

/**
 * Modest faults on every route the engine uses. Rate limits only on API routes other than the
 * commit: a 429 on a commit empties the per-repo commit budget (100 per hour), which would stall a
 * test for a minute per 429; commits get lost answers, 5xx and resets instead. Latency on commits
 * and parts widens the windows in which a kill catches them in flight (first matching rule wins).
 * The Xet CAS routes get the same: lost xorb and shard answers (stored, then the answer is lost),
 * latency on xorbs, 429s on the token route, and the 5xx and resets of every route.
 */
export const FAULT_SPEC = [
  "route=commit,kind=lost,count=1",
  "route=commit,kind=lost,rate=0.15",
  "route=commit,kind=status,status=503,rate=0.05",
  "route=commit,kind=reset,rate=0.03",
  "route=commit,kind=latency,ms=300,rate=0.5",
  "route=lfs-part,kind=latency,ms=60,rate=0.5",
  "route=xet-xorb,kind=lost,rate=0.05",
  "route=xet-xorb,kind=latency,ms=60,rate=0.5",
  "route=xet-shard,kind=lost,rate=0.1",
  "route=xet-token,kind=ratelimit,retry-after=1,rate=0.04",
  "route=preupload,kind=ratelimit,retry-after=1,rate=0.04",
  "route=lfs-batch,kind=ratelimit,retry-after=1,rate=0.04",
  "route=paths-info,kind=ratelimit,retry-after=1,rate=0.04",
  "route=*,kind=status,status=503,rate=0.02",
  "route=*,kind=status,status=500,rate=0.01",
  "route=*,kind=status,status=502,rate=0.01",
  "route=*,kind=reset,rate=0.02",
].join(";");

const SCALES = {
  short: {
    small: 100,
    empty: 4,
    lfs: 3,
    bigText: 2,
    multipart: 3,
    multipartMax: 4.5 * MiB,
    edits: 3,
    burst: 5,
  },
  long: {
    small: 3000,
    empty: 10,
    lfs: 10,
    bigText: 4,
    multipart: 8,
    multipartMax: 8 * MiB,
    edits: 12,
    burst: 40,
  },
} as const;

/** Everything random in a chaos run — layout, sizes, modifications, kill moments, fault seed — from one seed. */
export function planChaos(seed: number, kills: number, scale: ChaosScale): ChaosPlan {
  const random = prng(seed);
  const between = (lo: number, hi: number): number => Math.floor(lo + random() * (hi - lo));
  const s = SCALES[scale];
  const sizeOf = (cls: FileClass): number => {
    switch (cls) {
      case "empty":
        return 0;
      case "small":
        return random() < 0.15 ? 0 : between(64, 3000);
      case "lfs":
        return between(100 * KiB, 600 * KiB);
      case "big-text":
        return between(EMULATOR_LIMITS.lfsThresholdBytes + 50 * KiB, 1.6 * MiB);
      case "multipart":
        return between(EMULATOR_LIMITS.multipartThresholdBytes + 100 * KiB, s.multipartMax);
    }
  };
  const files: PlannedFile[] = [{ rel: "README.md", cls: "small", size: 64 }];
  const add = (rel: string, cls: FileClass): void => {
    files.push({ rel, cls, size: cls === "small" ? between(64, 3000) : sizeOf(cls) });
  };
  for (let i = 0; i < s.small; i++) {
    add(`dir-${i % 7}/sub ${i % 3}/${i % 25 === 0 ? `ünïcødé-${i}` : `file-${i}`}.txt`, "small");
  }
  for (let i = 0; i < s.empty; i++) add(`empty/empty-${i}.txt`, "empty");
  for (let i = 0; i < s.lfs; i++) add(`weights/w${i}.bin`, "lfs");
  for (let i = 0; i < s.bigText; i++) add(`logs/big-${i}.txt`, "big-text");
  for (let i = 0; i < s.multipart; i++) add(`big/shard-${i}.bin`, "multipart");

  // The files that change during the run: one of each kind, plus a few small ones.
  const pick = (cls: FileClass): PlannedFile[] => files.filter((f) => f.cls === cls);
  const one = (list: PlannedFile[]): PlannedFile[] => {
    const f = list[between(0, list.length)];
    return f ? [f] : [];
  };
  const smalls = pick("small").slice(1);
  const targets = [
    ...one(pick("multipart")),
    ...one(pick("lfs")),
    ...one(pick("big-text")),
    ...one(pick("empty")),
    ...Array.from({ length: s.edits }, () => one(smalls)).flat(),
  ];
  // A new version keeps the file's kind (an empty file gets content, a small one may become empty).
  const modify = (file: PlannedFile | undefined, atFraction: number): Modification => {
    const cls = file?.cls ?? "small";
    return {
      rel: file?.rel ?? "README.md",
      cls,
      size: cls === "empty" ? between(64, 3000) : sizeOf(cls),
      mode: random() < 0.5 ? "in-place" : "atomic",
      atFraction,
    };
  };
  const cycles: KillCycle[] = [];
  for (let i = 0; i < kills; i++) {
    const launch = i > 0 && random() < 0.8 ? "run" : "start";
    const earlyKill = launch === "run" && random() < 0.12;
    const delayMs = earlyKill ? between(0, 1500) : between(300, scale === "short" ? 3500 : 6000);
    const target = earlyKill || random() < 0.7 ? null : random() < 0.5 ? "commit in flight" : "LFS upload";
    let modifications: Modification[];
    if (target === null) {
      const count = random() < 0.25 ? 0 : random() < 0.8 ? 1 : 2;
      modifications = Array.from({ length: count }, () =>
        modify(targets[between(0, targets.length)], random()),
      ).sort((a, b) => a.atFraction - b.atFraction);
    } else {
      // A burst of edits first (a new checkpoint written over the old one), so that there is an
      // upload or a commit to catch even when the job had finished.
      const big = target === "LFS upload" ? [...pick("multipart"), ...pick("lfs"), ...pick("big-text")] : [];
      modifications = [...one(big), ...Array.from({ length: s.burst }, () => one(smalls)).flat()].map((f) =>
        modify(f, 0),
      );
    }
    cycles.push({ launch, earlyKill, target, delayMs, modifications });
  }
  return { seed, files, cycles, emulatorSeed: Math.floor(random() * 2 ** 31) + 1 };
}
