import type { JobStatusJson } from "../../daemon/job-status-json.js";
import { type RenderState, renderProgress } from "./render-progress.js";

export interface ProgressOutput {
  write(text: string): unknown;
  /** Terminal width when known (process.stdout.columns). */
  readonly columns?: number;
}

export interface ProgressDisplayOptions {
  readonly out: ProgressOutput;
  /** Redraw in place with bars; false: append one plain line per job per frame. */
  readonly tty: boolean;
  readonly color: boolean;
  /** Clock for rate smoothing (default Date.now). */
  readonly now?: () => number;
}

/** Draws frames of renderProgress: in place on a TTY (cursor up + clear line), appended otherwise. */
export class ProgressDisplay {
  private previous: RenderState | undefined;
  private drawn = 0;

  constructor(private readonly options: ProgressDisplayOptions) {}

  draw(jobs: readonly JobStatusJson[]): void {
    const { out, tty, color } = this.options;
    const { lines, state } = renderProgress(
      jobs,
      { tty, color, now: (this.options.now ?? Date.now)(), width: out.columns ?? 0 },
      this.previous,
    );
    this.previous = state;
    if (!tty) {
      out.write(`${lines.join("\n")}\n`);
      return;
    }
    // Move to the start of the previous frame, then rewrite each row after clearing it.
    let text = this.drawn > 0 ? `\x1b[${this.drawn}F` : "";
    for (const line of lines) text += `\x1b[2K${line}\n`;
    const leftover = this.drawn - lines.length;
    if (leftover > 0) text += `${"\x1b[2K\n".repeat(leftover)}\x1b[${leftover}F`;
    out.write(text);
    this.drawn = lines.length;
  }

  /** The next frame starts below the current one (call after printing the last frame). */
  release(): void {
    this.drawn = 0;
  }
}
