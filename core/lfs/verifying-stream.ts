import { createHash, type Hash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import { HubpushError } from "../../common/hubpush-error.js";

export interface VerifyingStreamOptions {
  /** Expected sha256 hex of everything that passes through; null = only count (parts). */
  readonly expectedSha256: string | null;
  readonly expectedSize: number;
  readonly displayPath: string;
  /** Waits for the bandwidth cap before letting `bytes` through. */
  readonly throttle: (bytes: number) => Promise<void>;
  readonly onBytes: (bytes: number) => void;
  /** Feed a hash shared across parts (multipart), in order. */
  readonly sharedHash?: Hash;
}

/**
 * Passes file bytes to an upload while computing their sha256 again. A mismatch or a wrong length
 * fails the stream before its last byte is released, so a store never receives stale content in full.
 */
export class VerifyingStream extends Transform {
  readonly #options: VerifyingStreamOptions;
  readonly #hash: Hash | null;
  #seen = 0;
  /** Set when the content did not match: the upload's own error is then secondary. */
  failure: HubpushError | null = null;
  #held: Buffer | null = null;

  constructor(options: VerifyingStreamOptions) {
    super({ highWaterMark: 1024 * 1024 });
    this.#options = options;
    this.#hash = options.expectedSha256 === null ? null : createHash("sha256");
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    this.#seen += chunk.length;
    this.#hash?.update(chunk);
    this.#options.sharedHash?.update(chunk);
    if (this.#seen > this.#options.expectedSize) {
      callback(this.#fail("grew"));
      return;
    }
    // Hold back the last chunk until the digest is checked in _flush.
    const release = this.#held;
    this.#held = chunk;
    if (release === null) {
      callback();
      return;
    }
    this.#options.throttle(release.length).then(
      () => {
        this.#options.onBytes(release.length);
        callback(null, release);
      },
      (err: unknown) => callback(err as Error),
    );
  }

  override _flush(callback: TransformCallback): void {
    if (this.#seen !== this.#options.expectedSize) {
      callback(this.#fail("shrank"));
      return;
    }
    if (this.#hash !== null && this.#hash.digest("hex") !== this.#options.expectedSha256) {
      callback(this.#fail("content"));
      return;
    }
    const last = this.#held;
    this.#held = null;
    if (last === null) {
      callback();
      return;
    }
    this.#options.throttle(last.length).then(
      () => {
        this.#options.onBytes(last.length);
        callback(null, last);
      },
      (err: unknown) => callback(err as Error),
    );
  }

  #fail(what: "grew" | "shrank" | "content"): HubpushError {
    const detail =
      what === "content" ? "its content no longer matches its hash" : `it ${what} while being uploaded`;
    this.failure = new HubpushError(
      "ERR_FILE_CHANGED",
      `${this.#options.displayPath} changed after it was hashed (${detail}); the upload was aborted and the file will be hashed again`,
      { retryable: true },
    );
    return this.failure;
  }
}
