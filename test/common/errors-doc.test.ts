import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import t from "tap";
import { ERROR_CODES, isErrorCode } from "../../common/error-codes.js";

const doc = readFileSync(fileURLToPath(new URL("../../docs/errors.md", import.meta.url)), "utf8");

interface DocRow {
  readonly exit: number;
  readonly http: number;
  readonly retryable: string;
}

/** Rows of the catalogue table: | `CODE` | exit | HTTP | meaning | retryable | what to do | */
function rows(): Map<string, DocRow> {
  const out = new Map<string, DocRow>();
  for (const line of doc.split("\n")) {
    const match = /^\|\s*`(ERR_[A-Z0-9_]+)`\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|[^|]+\|\s*(\w+)\s*\|/.exec(line);
    if (match?.[1] === undefined) continue;
    out.set(match[1], { exit: Number(match[2]), http: Number(match[3]), retryable: match[4] ?? "" });
  }
  return out;
}

t.test("docs/errors.md lists every code of ERROR_CODES and no other", async (t) => {
  const documented = rows();
  const missing = Object.keys(ERROR_CODES).filter((code) => !documented.has(code));
  const unknown = [...documented.keys()].filter((code) => !isErrorCode(code));
  t.same(missing, [], "codes missing from docs/errors.md");
  t.same(unknown, [], "codes in docs/errors.md that ERROR_CODES does not have");
});

t.test("docs/errors.md shows the catalogue's exit code and HTTP status", async (t) => {
  for (const [code, row] of rows()) {
    if (!isErrorCode(code)) continue;
    const info = ERROR_CODES[code];
    t.same([row.exit, row.http], [info.exitCode, info.httpStatus], code);
    t.ok(row.retryable === "yes" || row.retryable === "no", `${code}: retryable is yes or no`);
  }
});
