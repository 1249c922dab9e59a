import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import t from "tap";
import { apiReport } from "./fixtures/api-report.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const REPORT = path.join(ROOT, "docs", "api-report.md");

/**
 * The library's public names and signatures, compared with the committed docs/api-report.md, so a
 * change to the public surface is always deliberate: regenerate with HUBPUSH_UPDATE_API_REPORT=1.
 */
t.test("the public API matches docs/api-report.md", async (t) => {
  const current = apiReport(ROOT);
  if (process.env.HUBPUSH_UPDATE_API_REPORT === "1") writeFileSync(REPORT, current);
  const committed = readFileSync(REPORT, "utf8");
  t.equal(
    current,
    committed,
    "run HUBPUSH_UPDATE_API_REPORT=1 npx tap test/lib/api-report.test.ts after a deliberate change",
  );
  for (const name of [
    "uploadFile",
    "uploadFolder",
    "uploadLargeFolder",
    "createCommit",
    "preuploadLfsFiles",
    "connect",
    "CommitScheduler",
    "startEmulator",
    "HubpushError",
  ]) {
    t.match(current, `### ${name} (`, `${name} is public`);
  }
});
