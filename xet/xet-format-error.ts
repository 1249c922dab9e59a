/**
 * A Xet byte format (xorb, shard, LZ4 frame, hash text) that does not parse or does not match its
 * declared hashes. `code` is stable so callers (the emulator's 400s, the client's error catalogue)
 * can map it without matching messages. xet/ imports nothing of ours, hence its own error type.
 */
export class XetFormatError extends Error {
  override readonly name = "XetFormatError";
  constructor(
    readonly code:
      | "BAD_HASH_TEXT"
      | "BAD_XORB"
      | "XORB_HASH_MISMATCH"
      | "XORB_TOO_LARGE"
      | "BAD_SHARD"
      | "BAD_COMPRESSION",
    message: string,
  ) {
    super(message);
  }
}
