import { InvalidArgumentError } from "commander";
import { HubpushError } from "../common/hubpush-error.js";
import { byteRateHint, parseByteRate } from "../common/parse-byte-rate.js";

/** Commander argument parsers: a bad value is a usage error (exit 2) naming the option. */
export const optionParsers = {
  positiveInt(value: string): number {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n <= 0) {
      throw new InvalidArgumentError("expected a whole number greater than 0.");
    }
    return n;
  },
  positiveNumber(value: string): number {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n) || n <= 0) {
      throw new InvalidArgumentError("expected a number greater than 0.");
    }
    return n;
  },
  /**
   * --max-rate: bytes per second with an optional unit (common/parse-byte-rate.ts). Refused as
   * ERR_USAGE (exit 2) rather than commander's uncoded message, so scripts can match the code.
   */
  byteRate(value: string): number {
    const bytes = parseByteRate(value);
    if (bytes === null) throw new HubpushError("ERR_USAGE", `--max-rate ${byteRateHint(value)}`);
    return bytes;
  },
  jobId(value: string): number {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n <= 0) {
      throw new InvalidArgumentError(`"${value}" is not a job id (a number, see \`hubpush list\`).`);
    }
    return n;
  },
  /** For repeatable options: each occurrence is appended. */
  collect(value: string, previous: string[] | undefined): string[] {
    return [...(previous ?? []), value];
  },
};
