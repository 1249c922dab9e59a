import t from "tap";
import { ProgressDisplay } from "../../../cli/render/progress-display.js";
import { jobStatusFixture } from "../fixtures/job-status-fixture.js";

const ESC = "\u001b";
/** "Move the cursor up N lines", the start of an in-place redraw. */
const CURSOR_UP = new RegExp(`${ESC}\\[\\d+F`);

function sink(): { write(text: string): void; text: string } {
  return {
    text: "",
    write(text: string) {
      this.text += text;
    },
  };
}

t.test("on a TTY each frame moves up over the previous one and clears every row", async (t) => {
  const out = sink();
  const display = new ProgressDisplay({ out, tty: true, color: false, now: () => 0 });
  display.draw([jobStatusFixture()]);
  const first = out.text;
  const rows = first.split("\n").length - 1;
  t.ok(rows >= 6, "a multi-line frame");
  t.notMatch(first, CURSOR_UP, "the first frame does not move up");
  t.equal(first.split("\x1b[2K").length - 1, rows, "every row is cleared before it is written");
  out.text = "";
  display.draw([jobStatusFixture()]);
  t.ok(out.text.startsWith(`\x1b[${rows}F`), "the next frame starts by moving up over the previous");
});

t.test("a shorter frame clears the rows the previous one left", async (t) => {
  const out = sink();
  const display = new ProgressDisplay({ out, tty: true, color: false, now: () => 0 });
  display.draw([jobStatusFixture({ id: 1 }), jobStatusFixture({ id: 2 })]);
  const tall = out.text.split("\n").length - 1;
  out.text = "";
  display.draw([jobStatusFixture({ id: 1 })]);
  const half = tall / 2;
  t.ok(out.text.startsWith(`\x1b[${tall}F`));
  t.equal(out.text.split("\x1b[2K").length - 1, tall, "every row of the taller frame is cleared");
  t.ok(out.text.endsWith(`\x1b[${half}F`), "the cursor ends right below the new, shorter frame");
});

t.test("after release, the next frame is drawn below instead of over the last one", async (t) => {
  const out = sink();
  const display = new ProgressDisplay({ out, tty: true, color: false, now: () => 0 });
  display.draw([jobStatusFixture()]);
  display.release();
  out.text = "";
  display.draw([jobStatusFixture()]);
  t.notMatch(out.text, CURSOR_UP);
});

t.test("not a TTY: plain lines appended, no escape sequences", async (t) => {
  const out = sink();
  const display = new ProgressDisplay({ out, tty: false, color: true, now: () => 0 });
  display.draw([jobStatusFixture()]);
  display.draw([jobStatusFixture()]);
  t.notOk(out.text.includes(ESC));
  t.equal(out.text.split("\n").length - 1, 2);
});
