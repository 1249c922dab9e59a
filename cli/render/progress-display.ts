import { createLogUpdate } from "log-update";
import type { JobStatusJson } from "../../daemon/job-status-json.js";
import { type RenderState, renderProgress } from "./render-progress.js";
import { type SharedTerminalStream, TerminalShare } from "./terminal-share.js";

export interface ProgressOutput {
  write(text: string): unknown;
  /** Terminal width when known (process.stdout.columns). */
  readonly columns?: number;
  /** Terminal height when known (process.stdout.rows). */
  readonly rows?: number;
}

export interface ProgressDisplayOptions {
  readonly out: ProgressOutput;
  /** Redraw in place with bars; false: append one plain line per job per frame. */
  readonly tty: boolean;
  readonly color: boolean;
  /** Clock for rate smoothing (default Date.now). */
  readonly now?: () => number;
  /**
   * Other streams that print on the same terminal (stderr): while a frame is live, what they
   * write goes above the frame instead of into it (see TerminalShare).
   */
  readonly shared?: readonly SharedTerminalStream[];
}

/** A line cut by columns never wraps; without a known size nothing is cut or clipped. */
const UNKNOWN_SIZE = 1_000_000;

/**
 * Draws frames of renderProgress: in place on a TTY (log-update erases exactly the rows the
 * previous frame took, wrapped rows included), appended otherwise.
 */
export class ProgressDisplay {
  private previous: RenderState | undefined;
  private lastFrame: string | undefined;
  private readonly log: ReturnType<typeof createLogUpdate> | undefined;
  private readonly share: TerminalShare | undefined;

  constructor(private readonly options: ProgressDisplayOptions) {
    if (!options.tty) return;
    const { out } = options;
    // log-update reads the size on every frame, so a resized terminal is measured again.
    const stream = {
      write: (text: string) => out.write(text),
      get columns() {
        return out.columns;
      },
      get rows() {
        return out.rows;
      },
    } as unknown as NodeJS.WritableStream;
    // showCursor: hiding it would hook the process's signals to show it again, and Ctrl-C is ours.
    this.log = createLogUpdate(stream, {
      showCursor: true,
      defaultWidth: UNKNOWN_SIZE,
      defaultHeight: UNKNOWN_SIZE,
    });
    const log = this.log;
    this.share = new TerminalShare(options.shared ?? [], {
      before: () => log.clear(),
      after: () => {
        if (this.lastFrame !== undefined) log(this.lastFrame);
      },
    });
  }

  draw(jobs: readonly JobStatusJson[]): void {
    const { out, tty, color } = this.options;
    const { lines, state } = renderProgress(
      jobs,
      { tty, color, now: (this.options.now ?? Date.now)(), width: out.columns ?? 0 },
      this.previous,
    );
    this.previous = state;
    if (this.log === undefined) {
      out.write(`${lines.join("\n")}\n`);
      return;
    }
    this.lastFrame = lines.join("\n");
    this.share?.attach();
    this.log(this.lastFrame);
  }

  /** The next frame starts below the current one (call after printing the last frame). */
  release(): void {
    this.share?.detach();
    this.lastFrame = undefined;
    this.log?.done();
  }
}
