import { appendFileSync } from "node:fs";

export interface AccessLogLine {
  readonly time: string;
  readonly method: string;
  readonly path: string;
  readonly route: string;
  readonly status: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly requestId: string;
  readonly durationMs: number;
  readonly fault: string | null;
  readonly repo: string | null;
  readonly partNumber: number | null;
  readonly oid: string | null;
}

/**
 * One JSON line per request. Written synchronously when the response ends, before the last bytes
 * reach the client, so a test that got its answer can read its log line at once.
 */
export class AccessLog {
  readonly #file: string | undefined;

  constructor(file: string | undefined) {
    this.#file = file;
  }

  write(line: AccessLogLine): void {
    if (this.#file === undefined) return;
    try {
      appendFileSync(this.#file, `${JSON.stringify(line)}\n`);
    } catch (err) {
      process.stderr.write(`hubpush emulator: cannot write access log ${this.#file}: ${String(err)}\n`);
    }
  }
}
