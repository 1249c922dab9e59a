import { existsSync, readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { HubpushError } from "../common/hubpush-error.js";

export interface UiAsset {
  readonly contentType: string;
  readonly body: string;
}

/** The files of the page, shipped in the package's ui/ folder (no build step, no CDN). */
const ASSETS: Readonly<Record<string, string>> = {
  "index.html": "text/html; charset=utf-8",
  "app.js": "text/javascript; charset=utf-8",
  "chart.js": "text/javascript; charset=utf-8",
  "format.js": "text/javascript; charset=utf-8",
  "style.css": "text/css; charset=utf-8",
};

/** `<repo>/ui` sits beside `daemon/` in the sources and two levels up from `dist/daemon/`. */
function locateUiDir(): string {
  const candidates = [new URL("../ui/", import.meta.url), new URL("../../ui/", import.meta.url)];
  for (const url of candidates) {
    const dir = fileURLToPath(url);
    if (existsSync(`${dir}/index.html`) && statSync(dir).isDirectory()) return dir;
  }
  throw new HubpushError(
    "ERR_UI_START",
    "the status page's files (the ui/ folder) are missing: the hubpush installation is incomplete, reinstall it",
  );
}

/** Reads the page's files once; `index.html` gets the token in its asset URLs per answer. */
export function loadUiAssets(): ReadonlyMap<string, UiAsset> {
  const dir = locateUiDir();
  const assets = new Map<string, UiAsset>();
  for (const [name, contentType] of Object.entries(ASSETS)) {
    assets.set(name, { contentType, body: readFileSync(`${dir}/${name}`, "utf8") });
  }
  return assets;
}
