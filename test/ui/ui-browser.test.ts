import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import t from "tap";
import type { JobStatusJson } from "../../daemon/job-status-json.js";
import { startEmulator } from "../../emulator/start-emulator.js";
import { makeDaemonHome, WRITE_TOKEN, waitForJob } from "../daemon/fixtures/daemon-home.js";
import { writeTree } from "../helpers/folder-tree.js";
import { REPO_ROOT } from "../helpers/run-cli.js";
import { launchBrowser, until } from "./fixtures/browser.js";

// The status page in Debian's Chromium against a real daemon process and the emulator: one browser,
// one page, one story (docs/ui.md): a job appears, advances and draws its chart; pause, restart the
// daemon, reconnect, resume, finish; a failed file with a hostile name shows as text; cancel asks first.
const XSS_NAME = "<img src=x onerror=alert(1)>.txt";
// The docs' picture is rewritten only when asked (HUBPUSH_UPDATE_SCREENSHOT=1), so a test run leaves
// the checkout clean; otherwise the screenshot goes to the test's own temporary folder.
const DOCS_SCREENSHOT = path.join(REPO_ROOT, "docs", "ui-job-view.png");

async function cliState(h: ReturnType<typeof makeDaemonHome>, id: number): Promise<string> {
  const result = await h.cli(["status", String(id), "--json"]);
  const parsed = JSON.parse(result.stdout) as JobStatusJson | { jobs: JobStatusJson[] };
  return "jobs" in parsed ? (parsed.jobs[0]?.state ?? "") : parsed.state;
}

const text = async (page: Page, selector: string) => (await page.locator(selector).textContent()) ?? "";
// Page-side code is passed as strings: this file is type-checked for Node, without the DOM's types.
const points = (page: Page) =>
  page.evaluate<number>('Number(document.getElementById("chart-plot")?.dataset.points ?? 0)');

t.test("the status page in a real browser", async (t) => {
  // Regular files over 64 KiB are refused (so one fails with a reason); over 200 KiB they go by LFS.
  const emulator = await startEmulator({
    tokens: [`${WRITE_TOKEN}:write:user`],
    lfsThresholdBytes: 200 * 1024,
    regularMaxBytes: 64 * 1024,
  });
  const h = makeDaemonHome();
  const browser = await launchBrowser();
  t.teardown(async () => {
    await browser.close();
    await h.cli(["daemon", "stop"]);
    await h.cleanup();
    await emulator.close();
  });
  await h.start({ HF_TOKEN: WRITE_TOKEN });
  const shown = await h.cli(["ui"]);
  t.equal(shown.code, 0, shown.stderr);
  const url = shown.stdout.trim();
  t.match(url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{43}$/);

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const alerts: string[] = [];
  page.on("dialog", (dialog) => {
    alerts.push(dialog.message());
    void dialog.dismiss();
  });
  const pageErrors: string[] = [];
  page.on("pageerror", (err) => pageErrors.push(err.message));
  await page.goto(url);
  await until("the page to be live", async () => (await text(page, "#connection-text")) === "Live");

  // A cap first, so the upload lasts long enough to watch, pause and restart.
  await page.fill("#cap", "0.4");
  await page.click("#cap-form button");
  await until("the cap to apply", async () => (await text(page, "#cap-result")).includes("Upload cap"));
  const settings = await h.client.request<{ settings: { maxRateBytesPerSec: number | null } }>(
    "GET",
    "/v1/settings/get",
  );
  t.equal(settings.settings.maxRateBytesPerSec, 400_000, "the cap reached the daemon, live");

  const folder = path.join(h.root, "big");
  const files: Record<string, Buffer | string> = { [XSS_NAME]: "z".repeat(100 * 1024) };
  for (let i = 0; i < 32; i++) files[`part-${i}.bin`] = randomBytes(220 * 1024);
  writeTree(folder, files);
  const added = await h.cli(["add", folder, "--repo", "user/ui-demo", "--endpoint", emulator.url]);
  t.equal(added.code, 0, added.stderr);
  const id = Number(added.stdout.trim());

  await t.test("a job added through the CLI appears, advances and draws its chart", async (t) => {
    const link = page.locator(`#job-link-${id}`);
    await link.waitFor({ timeout: 10_000 });
    t.equal(await link.textContent(), "user/ui-demo");
    // Keyboard: focus the job's link and press Enter to open its view.
    await link.focus();
    await page.keyboard.press("Enter");
    await page.locator("#job-view").waitFor({ state: "visible" });
    t.equal(await text(page, "#job-heading"), `Job ${id}: user/ui-demo`);
    const progress = () =>
      page.evaluate<number>(`document.querySelector('[data-job-id="${id}"] progress')?.value ?? 0`);
    const first = await until("some bytes sent", async () => {
      const value = await progress();
      return value > 0 ? value : undefined;
    });
    const later = await until("more bytes sent", async () => {
      const value = await progress();
      return value > first ? value : undefined;
    });
    t.ok(later > first, `progress advances (${first} → ${later} bytes)`);
    const n = await until("chart points", async () => ((await points(page)) >= 2 ? points(page) : undefined));
    t.ok(n >= 2, `the chart has ${n} points`);
    t.match(await text(page, "#chart-desc"), /samples over the last \d+ min\. Latest: sent/);
  });

  let pointsBeforeRestart = 0;
  await t.test("pause in the page pauses the job (the CLI agrees)", async (t) => {
    await page.click("#act-pause");
    await until("the page to say paused", async () =>
      (await text(page, "#action-result")).includes("paused"),
    );
    t.equal(await cliState(h, id), "paused");
    t.ok(await page.locator("#act-pause").isDisabled(), "pause is off for a paused job");
    t.ok(await page.locator("#act-resume").isEnabled());
    pointsBeforeRestart = await points(page);
    // The cap only served to make the upload watchable; without it the restart below is quick.
    await page.fill("#cap", "");
    await page.click("#cap-form button");
    await until("the cap to be lifted", async () => (await text(page, "#cap-result")) === "No upload cap.");
  });

  await t.test("after a daemon restart the page reconnects with its history", async (t) => {
    const stopAt = Date.now();
    const stopped = await h.cli(["daemon", "stop"]);
    t.comment(`daemon stop took ${Date.now() - stopAt} ms`);
    t.equal(stopped.code, 0, stopped.stderr);
    await until("the page to show it is disconnected", async () =>
      (await text(page, "#connection-text")).startsWith("Disconnected from the daemon, retrying"),
    );
    t.equal(await page.locator("#connection").getAttribute("data-state"), "disconnected");
    const startAt = Date.now();
    await h.start({ HF_TOKEN: WRITE_TOKEN });
    await until(
      "the page to be live again",
      async () => (await text(page, "#connection-text")) === "Live",
      20_000,
    );
    t.comment(`start and reconnect took ${Date.now() - startAt} ms`);
    t.ok((await points(page)) >= Math.min(2, pointsBeforeRestart), "the chart kept its points");
    await page.reload();
    await until(
      "the reloaded page to be live",
      async () => (await text(page, "#connection-text")) === "Live",
    );
    await page.locator("#job-view").waitFor({ state: "visible" });
    const reloaded = await until("history after reload", async () =>
      (await points(page)) > 0 ? points(page) : undefined,
    );
    t.ok(reloaded > 0, `the chart comes back from the journal (${reloaded} points)`);
    t.equal(await cliState(h, id), "paused", "still paused after the restart");
  });

  await t.test(
    "resume completes the job; commits link to the Hub; the failed file shows as text",
    async (t) => {
      await page.click("#act-resume");
      await waitForJob(h.client, id, ["done"], 60_000);
      await until("the page to say done", async () =>
        (await text(page, "#job-summary")).startsWith("✔ done"),
      );
      t.equal(await cliState(h, id), "done");
      const failure = await until("the failed file", async () => {
        const value = await text(page, "#failures");
        return value.includes(XSS_NAME) ? value : undefined;
      });
      t.match(failure, /ERR_HUB_/, "with its reason");
      t.equal(await page.locator("#failures img").count(), 0, "the name is text, not an element");
      t.same(alerts, [], "no script ran from the name");
      const href = await until(
        "a commit link",
        async () => (await page.locator("#commits a").first().getAttribute("href")) ?? undefined,
      );
      t.match(href, new RegExp(`^${emulator.url}/user/ui-demo/commit/[0-9a-f]{40}$`));
      const shot =
        process.env.HUBPUSH_UPDATE_SCREENSHOT === "1"
          ? DOCS_SCREENSHOT
          : path.join(t.testdir(), "job-view.png");
      mkdirSync(path.dirname(shot), { recursive: true });
      await page.screenshot({ path: shot, fullPage: true });
      const distinct = await countColors(page, shot);
      t.ok(distinct > 20, `the screenshot is not blank (${distinct} distinct colors)`);
    },
  );

  await t.test("cancel asks first; the page reads on a phone", async (t) => {
    const other = path.join(h.root, "other");
    writeTree(other, { "x.txt": "x" });
    const second = Number(
      (await h.cli(["add", other, "--repo", "user/ui-two", "--endpoint", emulator.url])).stdout.trim(),
    );
    await h.cli(["pause", String(second)]);
    await page.goto(`${url}#job-${second}`);
    await until("the second job's view", async () =>
      (await text(page, "#job-heading")).startsWith(`Job ${second}`),
    );
    await until("cancel enabled", async () => page.locator("#act-cancel").isEnabled());
    await page.click("#act-cancel");
    t.ok(await page.locator("#confirm").isVisible(), "a confirmation opens");
    await page.click("#confirm button[value=no]");
    t.equal(await cliState(h, second), "paused", "keeping it changes nothing");
    await page.click("#act-cancel");
    await page.click("#confirm-yes");
    await until("cancelled", async () => (await cliState(h, second)) === "cancelled");
    t.pass("confirmed cancel cancels");
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = await page.evaluate<number>("document.documentElement.scrollWidth - window.innerWidth");
    t.ok(overflow <= 0, `no sideways scrolling on a phone (${overflow}px)`);
    const unlabeled = await page.evaluate<string[]>(`[...document.querySelectorAll("button, input")]
      .filter((el) => el.textContent.trim() === "" && (el.labels?.length ?? 0) === 0 && !el.getAttribute("aria-label"))
      .map((el) => el.outerHTML)`);
    t.same(unlabeled, [], "every control has a label");
    t.same(pageErrors, [], "no script errors in the page");
  });
});

/** Distinct pixel colors of a PNG, counted in a blank page's canvas (no decoder needed here). */
async function countColors(page: Page, file: string): Promise<number> {
  const data = readFileSync(file).toString("base64");
  const blank = await page.context().newPage();
  try {
    return await blank.evaluate<number>(`(async () => {
      const img = new Image();
      img.src = "data:image/png;base64,${data}";
      await img.decode();
      const canvas = document.createElement("canvas");
      canvas.width = img.width;
      canvas.height = img.height;
      const ctx = canvas.getContext("2d");
      ctx.drawImage(img, 0, 0);
      const pixels = ctx.getImageData(0, 0, img.width, img.height).data;
      const colors = new Set();
      for (let i = 0; i < pixels.length; i += 28) colors.add((pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2]);
      return colors.size;
    })()`);
  } finally {
    await blank.close();
  }
}
