import t from "tap";
import { ProgressDisplay } from "../../../cli/render/progress-display.js";
import { jobStatusFixture } from "../fixtures/job-status-fixture.js";

const ESC = "\u001b";

/**
 * The few terminal controls a redraw uses, applied to a grid of rows: enough to see what a person
 * would see after a series of frames (test/cli/terminal-view.test.ts does the same in real tmux).
 */
class Screen {
  rows: string[] = [""];
  row = 0;
  col = 0;
  constructor(readonly columns: number) {}

  write(text: string): void {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: parsing terminal output is the point
    const tokens = text.match(/\x1b\[\??[0-9;]*[A-Za-z]|\n|[^\x1b\n]/gu) ?? [];
    for (const token of tokens) this.apply(token);
  }

  private line(): string {
    while (this.rows.length <= this.row) this.rows.push("");
    return this.rows[this.row] ?? "";
  }

  private apply(token: string): void {
    if (token === "\n") {
      this.row += 1;
      this.col = 0;
      this.line();
      return;
    }
    // biome-ignore lint/suspicious/noControlCharactersInRegex: parsing terminal output is the point
    const csi = /^\x1b\[(\??)(\d*)([A-Za-z])$/.exec(token);
    if (csi === null) {
      if (this.col >= this.columns) {
        this.row += 1;
        this.col = 0;
      }
      const line = this.line().padEnd(this.col);
      this.rows[this.row] = line.slice(0, this.col) + token + line.slice(this.col + 1);
      this.col += 1;
      return;
    }
    const n = csi[2] === "" ? 1 : Number(csi[2]);
    if (csi[1] === "?") return;
    switch (csi[3]) {
      case "A":
        this.row = Math.max(0, this.row - n);
        break;
      case "B":
        this.row += n;
        this.line();
        break;
      case "F":
        this.row = Math.max(0, this.row - n);
        this.col = 0;
        break;
      case "G":
        this.col = 0;
        break;
      case "K":
        this.rows[this.row] = csi[2] === "2" ? "" : this.line().slice(0, this.col);
        break;
      case "J":
        this.rows = this.rows.slice(0, this.row + 1);
        this.rows[this.row] = this.line().slice(0, this.col);
        break;
      case "m":
        break;
      default:
        throw new Error(`the screen does not know ${JSON.stringify(token)}`);
    }
  }

  text(): string[] {
    return this.rows.map((r) => r.trimEnd()).filter((r) => r !== "");
  }
}

function terminal(columns = 120): { write(text: string): void; columns: number; screen: Screen } {
  const screen = new Screen(columns);
  return { columns, screen, write: (text: string) => screen.write(text) };
}

const headers = (screen: Screen): string[] => screen.text().filter((l) => l.startsWith("#"));

t.test("on a TTY each frame replaces the previous one: one frame on screen", async (t) => {
  const out = terminal();
  const display = new ProgressDisplay({ out, tty: true, color: true, now: () => 0 });
  display.draw([jobStatusFixture()]);
  const rows = out.screen.text().length;
  t.ok(rows >= 6, "a multi-line frame");
  for (let i = 0; i < 5; i++) display.draw([jobStatusFixture()]);
  t.equal(out.screen.text().length, rows, "no row of an earlier frame is left");
  t.equal(headers(out.screen).length, 1);
});

t.test("a shorter frame clears the rows the previous one left", async (t) => {
  const out = terminal();
  const display = new ProgressDisplay({ out, tty: true, color: false, now: () => 0 });
  display.draw([jobStatusFixture({ id: 1 }), jobStatusFixture({ id: 2 })]);
  const tall = out.screen.text().length;
  display.draw([jobStatusFixture({ id: 1 })]);
  t.equal(out.screen.text().length, tall / 2);
  t.equal(headers(out.screen).length, 1);
});

t.test("a line written on stderr between frames lands above the frame, and no old frame stays", async (t) => {
  const out = terminal();
  const stderr = {
    write(text: string | Uint8Array): boolean {
      out.write(String(text));
      return true;
    },
  };
  const ownWrite = stderr.write;
  const display = new ProgressDisplay({
    out,
    tty: true,
    color: false,
    now: () => 0,
    shared: [stderr as unknown as NodeJS.WritableStream],
  });
  display.draw([jobStatusFixture()]);
  const rows = out.screen.text().length;
  // A Node warning is 170 characters plus a hint line: three rows at 120 columns.
  stderr.write(`(node:1) Warning: ${"x".repeat(150)}\n(Use \`node --trace-warnings ...\`)\n`);
  display.draw([jobStatusFixture()]);
  display.draw([jobStatusFixture()]);
  const screen = out.screen.text();
  t.equal(headers(out.screen).length, 1, "exactly one frame");
  t.equal(screen.length, rows + 3, "the warning's three rows, then the frame");
  t.match(screen[0], /^\(node:1\) Warning/);
  display.release();
  t.equal(stderr.write, ownWrite, "release gives the stream its own write back");
});

t.test("after release, the next frame is drawn below instead of over the last one", async (t) => {
  const out = terminal();
  const display = new ProgressDisplay({ out, tty: true, color: false, now: () => 0 });
  display.draw([jobStatusFixture()]);
  display.release();
  display.draw([jobStatusFixture()]);
  t.equal(headers(out.screen).length, 2);
});

t.test("not a TTY: plain lines appended, no escape sequences", async (t) => {
  let text = "";
  const out = { write: (s: string) => (text += s) };
  const display = new ProgressDisplay({ out, tty: false, color: true, now: () => 0 });
  display.draw([jobStatusFixture()]);
  display.draw([jobStatusFixture()]);
  t.notOk(text.includes(ESC));
  t.equal(text.split("\n").length - 1, 2);
});
