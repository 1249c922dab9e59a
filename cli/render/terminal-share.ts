/** A stream that prints on the terminal the progress frame is drawn on (process.stderr). */
export interface SharedTerminalStream {
  write: NodeJS.WritableStream["write"];
}

export interface TerminalShareHooks {
  /** Erases the live frame (the text is about to be written where it was). */
  readonly before: () => void;
  /** Draws the frame again, below the text. */
  readonly after: () => void;
}

/**
 * While attached, a write to a shared stream erases the live frame first and draws it again after:
 * the text lands above the frame, and the next redraw moves up over the frame alone. Without it, a
 * Node warning or a message on stderr between two frames shifted the frame down, so the redraw
 * moved up too few rows and left the top of an old frame on screen for the rest of the run.
 * TTY writes are synchronous, so the erase, the text and the redraw reach the terminal in order.
 */
export class TerminalShare {
  private restore: Array<() => void> = [];
  private writing = false;

  constructor(
    private readonly streams: readonly SharedTerminalStream[],
    private readonly hooks: TerminalShareHooks,
  ) {}

  attach(): void {
    if (this.restore.length > 0) return;
    for (const stream of this.streams) {
      const original = stream.write;
      const share = this;
      const write = function (this: unknown, ...args: Parameters<typeof original>): boolean {
        if (share.writing) return Reflect.apply(original, stream, args) as boolean;
        share.writing = true;
        try {
          share.hooks.before();
          const result = Reflect.apply(original, stream, args) as boolean;
          // The frame must start at the beginning of a line, or the next erase misses a row.
          if (!endsWithNewline(args[0])) Reflect.apply(original, stream, ["\n"]);
          share.hooks.after();
          return result;
        } finally {
          share.writing = false;
        }
      };
      stream.write = write as typeof original;
      this.restore.push(() => {
        stream.write = original;
      });
    }
  }

  detach(): void {
    for (const undo of this.restore) undo();
    this.restore = [];
  }
}

function endsWithNewline(chunk: unknown): boolean {
  if (typeof chunk === "string") return chunk.endsWith("\n");
  if (chunk instanceof Uint8Array) return chunk.length > 0 && chunk[chunk.length - 1] === 0x0a;
  return true;
}
