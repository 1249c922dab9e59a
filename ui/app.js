// @ts-check
import { drawChart } from "./chart.js?token=__TOKEN__";
import { formatBytes, formatEta, formatRate, formatTime, stateLabel } from "./format.js?token=__TOKEN__";

/** The page's token, from this module's own URL (the daemon put it there). */
const TOKEN = new URL(import.meta.url).searchParams.get("token") ?? "";
const STAGES = [
  "scanned",
  "hashed",
  "planned",
  "uploaded",
  "committing",
  "committed",
  "skipped",
  "failed",
  "vanished",
];
const HISTORY_EVENTS = new Set([
  "commit.committed",
  "commit.failed",
  "commit.reconciled",
  "commit.unknown",
  "file.failed",
]);

/** @typedef {{files: number, bytes: number}} Count */
/**
 * @typedef {{id: number, folder: string, repo: {id: string, type: string, endpoint: string},
 *   state: string, blocked: {code: string, message: string} | null, lastError: {message: string} | null,
 *   files: Record<string, Count>, total: Count, waiting: number, commits: number,
 *   rates: {uploadBytesPerSec: number, hashBytesPerSec: number}, etaSeconds: number | null,
 *   failures: {path: string, code: string, message: string}[], watch: Record<string, unknown> | null,
 *   xet?: {dedupRatio?: number} | null}} Job
 */
/** @typedef {{id: number, state: string, oid: string | null, url: string | null, message: string, files: number, at: string}} Commit */

/** @type {Map<number, Job>} */
const jobs = new Map();
/** @type {Array<[number, number, number]>} */
let samples = [];
/** @type {Commit[]} */
let commits = [];
/** @type {number | null} */
let lastId = null;

/** @param {string} id */
function $(id) {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`#${id} missing`);
  return el;
}

/**
 * @param {string} tag
 * @param {string} [text]
 * @param {string} [className]
 */
function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className !== undefined) node.className = className;
  return node;
}

/**
 * A call to the page's API; the token always travels in the header.
 * @param {string} path
 * @param {unknown} [body]
 */
async function api(path, body) {
  const res = await fetch(`/api${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: {
      "x-hubpush-token": TOKEN,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: "no-store",
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(json?.error?.message ?? `HTTP ${res.status}`);
  return json;
}

function selectedId() {
  const match = /^#job-(\d+)$/.exec(location.hash);
  return match === null ? null : Number(match[1]);
}

/** @param {string} state @param {string} text */
function setConnection(state, text) {
  const box = $("connection");
  box.dataset.state = state;
  const icons = { live: "●", connecting: "◌", disconnected: "⚠", expired: "✖" };
  /** @type {HTMLElement} */ (box.firstElementChild).textContent =
    icons[/** @type {keyof typeof icons} */ (state)] ?? "";
  $("connection-text").textContent = text;
}

/** Bytes that reached the Hub (uploaded, being committed or committed): the bar moves between commits. */
/** @param {Job} job */
function sentBytes(job) {
  return ["uploaded", "committing", "committed"].reduce((sum, s) => sum + (job.files[s]?.bytes ?? 0), 0);
}

/** @param {Job} job */
function progressText(job) {
  const done = job.files.committed ?? { files: 0, bytes: 0 };
  return `${done.files} of ${job.total.files} files committed; ${formatBytes(sentBytes(job))} of ${formatBytes(job.total.bytes)} sent`;
}

/** @param {Job} job */
function jobItem(job) {
  const li = el("li", undefined, "job");
  li.dataset.state = job.state;
  li.dataset.jobId = String(job.id);
  const title = el("h3");
  const link = /** @type {HTMLAnchorElement} */ (el("a", `${job.repo.id}`));
  link.href = `#job-${job.id}`;
  link.id = `job-link-${job.id}`;
  if (selectedId() === job.id) link.setAttribute("aria-current", "true");
  title.append(link, el("span", ` · job ${job.id}`, "muted"));
  const state = el("p", stateLabel(job.state), "state");
  const folder = el("p", job.folder, "folder");
  const bar = /** @type {HTMLProgressElement} */ (el("progress"));
  bar.max = Math.max(1, job.total.bytes);
  bar.value = sentBytes(job);
  bar.setAttribute("aria-label", `Progress of job ${job.id}`);
  const stages = el(
    "p",
    STAGES.filter((s) => (job.files[s]?.files ?? 0) > 0)
      .map((s) => `${s} ${job.files[s]?.files} (${formatBytes(job.files[s]?.bytes ?? 0)})`)
      .join(" · ") || "nothing scanned yet",
    "stages-line",
  );
  const facts = el(
    "p",
    `Sent ${formatRate(job.rates.uploadBytesPerSec)} · hashed ${formatRate(job.rates.hashBytesPerSec)} · ETA ${formatEta(job.etaSeconds)} · retries waiting ${job.waiting}`,
    "facts-line",
  );
  li.append(title, state, folder, bar, el("p", progressText(job), "progress-text"), stages, facts);
  if (job.blocked !== null) li.append(el("p", `Blocked: ${job.blocked.message}`, "blocked"));
  return li;
}

function renderJobs() {
  const list = $("jobs");
  const focused = document.activeElement?.id;
  list.replaceChildren(...[...jobs.values()].map(jobItem));
  $("jobs-empty").hidden = jobs.size > 0;
  if (focused?.startsWith("job-link-")) document.getElementById(focused)?.focus();
}

/** @param {Job} job */
function renderActions(job) {
  const allowed = {
    "act-pause": ["active", "blocked"],
    "act-resume": ["paused", "blocked"],
    "act-cancel": ["active", "paused", "blocked"],
    "act-retry": ["active", "paused", "blocked", "done"],
  };
  for (const [id, states] of Object.entries(allowed)) {
    const button = /** @type {HTMLButtonElement} */ ($(id));
    const ok =
      states.includes(job.state) &&
      (id !== "act-retry" || job.state === "blocked" || (job.files.failed?.files ?? 0) > 0);
    button.disabled = !ok;
  }
}

function renderJobView() {
  const id = selectedId();
  const view = $("job-view");
  const job = id === null ? undefined : jobs.get(id);
  if (job === undefined) {
    view.hidden = true;
    return;
  }
  view.hidden = false;
  view.dataset.state = job.state;
  $("job-heading").textContent = `Job ${job.id}: ${job.repo.id}`;
  $("job-summary").textContent =
    `${stateLabel(job.state)} · ${job.folder} · ${progressText(job)}${job.blocked ? ` · blocked: ${job.blocked.message}` : ""}`;
  renderActions(job);
  // An action's answer is cleared once the job has moved on to another state.
  const result = $("action-result");
  if (result.dataset.state !== undefined && result.dataset.state !== job.state) {
    result.textContent = "";
    delete result.dataset.state;
  }
  const rows = STAGES.map((s) => {
    const tr = el("tr");
    const th = el("th", s);
    th.setAttribute("scope", "row");
    tr.append(
      th,
      el("td", String(job.files[s]?.files ?? 0)),
      el("td", formatBytes(job.files[s]?.bytes ?? 0)),
    );
    return tr;
  });
  $("stages").replaceChildren(...rows);
  const watch = $("watch");
  if (job.watch === null) watch.replaceChildren(el("dd", "Not a watch job."));
  else
    watch.replaceChildren(
      ...Object.entries(job.watch).flatMap(([key, value]) => [
        el("dt", key),
        el("dd", value === null ? "—" : String(value)),
      ]),
    );
  const dedup = $("dedup");
  const ratio = job.xet?.dedupRatio;
  dedup.hidden = typeof ratio !== "number";
  if (typeof ratio === "number") dedup.textContent = `Xet dedup ratio: ${ratio.toFixed(2)}`;
  const failures = job.failures.map((f) => {
    const li = el("li");
    li.append(el("code", f.path, "path"), el("span", ` — ${f.code}: ${f.message}`, "reason"));
    return li;
  });
  $("failures").replaceChildren(
    ...(failures.length > 0 ? failures : [el("li", "No failed files.", "muted")]),
  );
  const items = commits.map((c) => {
    const li = el("li");
    if (c.url !== null) {
      const a = /** @type {HTMLAnchorElement} */ (el("a", c.oid?.slice(0, 10) ?? ""));
      a.href = c.url;
      a.rel = "noopener noreferrer";
      a.target = "_blank";
      a.setAttribute("aria-label", `Commit ${c.oid} on the Hub`);
      li.append(a);
    } else li.append(el("span", c.state));
    li.append(el("span", ` ${c.files} files · ${formatTime(c.at)} · ${c.message}`));
    return li;
  });
  $("commits").replaceChildren(...(items.length > 0 ? items : [el("li", "No commits yet.", "muted")]));
  drawChart(
    /** @type {SVGGElement} */ (/** @type {unknown} */ ($("chart-plot"))),
    $("chart-desc"),
    samples,
    Date.now(),
  );
}

async function loadHistory() {
  const id = selectedId();
  if (id === null) return;
  const { history } = await api(`/v1/jobs/history?id=${id}&minutes=60`);
  if (selectedId() !== id) return;
  samples = history.samples;
  commits = history.commits;
  renderJobView();
}

async function loadSettings() {
  const { settings } = await api("/v1/settings/get");
  const input = /** @type {HTMLInputElement} */ ($("cap"));
  if (document.activeElement !== input) {
    input.value = settings.maxRateBytesPerSec === null ? "" : String(settings.maxRateBytesPerSec / 1e6);
  }
}

/** @param {Job[]} list */
function setJobs(list) {
  jobs.clear();
  for (const job of list) jobs.set(job.id, job);
  renderJobs();
  renderJobView();
}

async function refreshAll() {
  const { jobs: list } = await api("/v1/jobs/list");
  setJobs(list);
  await Promise.all([loadHistory(), loadSettings()]);
}

/** @type {ReturnType<typeof setTimeout> | null} */
let historyTimer = null;
function historySoon() {
  if (historyTimer !== null) return;
  historyTimer = setTimeout(() => {
    historyTimer = null;
    loadHistory().catch(() => {});
  }, 300);
}

/** @param {any} line */
function onLine(line) {
  if (line.type === "ui.jobs") {
    setJobs(line.jobs);
    const job = jobs.get(selectedId() ?? -1);
    if (
      job !== undefined &&
      (job.state === "active" || job.rates.uploadBytesPerSec > 0 || job.rates.hashBytesPerSec > 0)
    ) {
      samples.push([line.at, job.rates.uploadBytesPerSec, job.rates.hashBytesPerSec]);
      renderJobView();
    }
    return;
  }
  if (typeof line.id === "number") lastId = line.id;
  if (line.jobId === selectedId() && (HISTORY_EVENTS.has(line.type) || line.type.startsWith("job.")))
    historySoon();
}

/** Reads the live feed until it ends; throws on a refused or broken connection. */
async function follow() {
  if (lastId === null) lastId = (await api("/v1/events/list?since=0&limit=1")).lastId;
  await refreshAll();
  const res = await fetch(`/api/v1/events/stream?since=${lastId}`, {
    headers: { "x-hubpush-token": TOKEN },
    cache: "no-store",
  });
  if (res.status === 401) throw Object.assign(new Error("expired"), { expired: true });
  if (!res.ok || res.body === null) throw new Error(`HTTP ${res.status}`);
  setConnection("live", "Live");
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let newline = buffer.indexOf("\n");
    while (newline >= 0) {
      const text = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (text.trim() !== "") onLine(JSON.parse(text));
      newline = buffer.indexOf("\n");
    }
  }
}

/** Follows the feed forever: on any break, "disconnected, retrying" with a growing pause (≤ 3 s). */
async function stayConnected() {
  let failures = 0;
  for (;;) {
    try {
      await follow();
      failures = 0;
    } catch (err) {
      failures += 1;
      if (/** @type {{expired?: boolean}} */ (err).expired) {
        setConnection(
          "expired",
          "This link is no longer valid: run `hubpush ui` for the current URL. Retrying…",
        );
      }
    }
    // Local and cheap: retry soon (≤ 3 s) so a restarted daemon is picked up at once.
    const wait = Math.min(3_000, 500 * 2 ** Math.min(failures, 3));
    if ($("connection").dataset.state !== "expired" || failures === 0)
      setConnection(
        "disconnected",
        `Disconnected from the daemon, retrying in ${Math.round(wait / 1000) || 1} s…`,
      );
    await new Promise((resolve) => setTimeout(resolve, wait));
    if ($("connection").dataset.state !== "expired") setConnection("connecting", "Reconnecting…");
  }
}

/** @param {string} action */
async function act(action) {
  const id = selectedId();
  if (id === null) return;
  const result = $("action-result");
  try {
    const { job } = await api(`/v1/jobs/${action}`, { id });
    jobs.set(job.id, job);
    result.textContent = `Job ${job.id}: ${stateLabel(job.state)}.`;
    result.dataset.state = job.state;
    renderJobs();
    renderJobView();
  } catch (err) {
    result.textContent = `Refused: ${/** @type {Error} */ (err).message}`;
  }
}

function wire() {
  $("act-pause").addEventListener("click", () => act("pause"));
  $("act-resume").addEventListener("click", () => act("resume"));
  $("act-retry").addEventListener("click", () => act("retry"));
  const dialog = /** @type {HTMLDialogElement} */ ($("confirm"));
  $("act-cancel").addEventListener("click", () => dialog.showModal());
  dialog.addEventListener("close", () => {
    if (dialog.returnValue === "yes") act("cancel").catch(() => {});
    dialog.returnValue = "";
  });
  $("cap-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = /** @type {HTMLInputElement} */ ($("cap"));
    const mb = input.value.trim() === "" ? null : Number(input.value);
    const out = $("cap-result");
    try {
      const value = mb === null ? null : Math.max(1, Math.round(mb * 1e6));
      const { settings } = await api("/v1/settings/update", { maxRateBytesPerSec: value });
      out.textContent =
        settings.maxRateBytesPerSec === null
          ? "No upload cap."
          : `Upload cap: ${formatRate(settings.maxRateBytesPerSec)}.`;
    } catch (err) {
      out.textContent = `Refused: ${/** @type {Error} */ (err).message}`;
    }
  });
  window.addEventListener("hashchange", () => {
    $("action-result").textContent = "";
    samples = [];
    commits = [];
    renderJobs();
    renderJobView();
    loadHistory().catch(() => {});
    if (selectedId() !== null) $("job-heading").focus();
  });
}

wire();
stayConnected().catch(() => {});
