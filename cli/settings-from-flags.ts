import type { EngineSettings } from "../core/engine.js";

/** --workers and --max-rate as an engine settings patch (only what was given). */
export function settingsFromFlags(flags: {
  readonly workers?: number;
  readonly maxRate?: number;
}): Partial<EngineSettings> {
  return {
    ...(flags.workers === undefined ? {} : { uploadWorkers: flags.workers }),
    ...(flags.maxRate === undefined ? {} : { maxRateBytesPerSec: flags.maxRate }),
  };
}
