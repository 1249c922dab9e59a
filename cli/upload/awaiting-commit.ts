import type { CountJson } from "../../daemon/job-status-json.js";
import type { Journal } from "../../storage/journal.js";

const PAGE = 1000;

/**
 * Regular (inline) files of the job in `uploaded` or `committing`: their bytes leave with the
 * commit that carries them, so the progress view counts them as uploaded only once it succeeded.
 */
export function awaitingCommit(journal: Journal, jobId: number): CountJson {
  let files = 0;
  let bytes = 0;
  for (const state of ["uploaded", "committing"] as const) {
    let afterId = 0;
    for (;;) {
      const page = journal.listFiles(jobId, { state, afterId, limit: PAGE });
      for (const file of page) {
        if (file.uploadMode !== "regular") continue;
        files += 1;
        bytes += file.size;
      }
      const last = page[page.length - 1];
      if (page.length < PAGE || last === undefined) break;
      afterId = last.id;
    }
  }
  return { files, bytes };
}
