import { createReadStream } from "node:fs";
import { HubpushError } from "../common/hubpush-error.js";
import type { HubClient, LfsBatchAnswer } from "../core/hub/hub-client.js";

/**
 * Sends one LFS object as the Hub's batch answer asks (hub-protocol.md §5): nothing when it is
 * stored already, one PUT, or the parts of a multipart plan then the completion. Bodies stream from
 * disk through the Hub client (presigned URLs never get the Authorization header).
 */
export async function transferLfsObject(
  hub: HubClient,
  answer: LfsBatchAnswer,
  localPath: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  switch (answer.kind) {
    case "stored":
      return;
    case "error":
      throw new HubpushError(
        "ERR_HUB_LFS_OBJECT",
        `the Hub refused the LFS object ${answer.oid}: ${answer.message}`,
        {
          details: { oid: answer.oid, code: answer.code },
        },
      );
    case "xet":
      // The library's own preupload path asks for basic/multipart only (it never offers xet).
      throw new HubpushError(
        "ERR_HUB_LFS_OBJECT",
        `the Hub answered the LFS object ${answer.oid} with a Xet upload, which this call does not offer`,
      );
    case "basic":
      await hub.putUpload(answer.uploadUrl, {
        body: createReadStream(localPath),
        length: answer.size,
        header: answer.header,
        ...(signal === undefined ? {} : { signal }),
      });
      break;
    case "multipart": {
      const parts: { partNumber: number; etag: string }[] = [];
      for (const [index, url] of answer.partUrls.entries()) {
        const start = index * answer.chunkSize;
        const length = Math.min(answer.chunkSize, answer.size - start);
        const { etag } = await hub.putUpload(url, {
          body: createReadStream(localPath, { start, end: start + length - 1 }),
          length,
          ...(signal === undefined ? {} : { signal }),
        });
        if (etag === null) {
          throw new HubpushError(
            "ERR_HUB_PROTOCOL",
            `the storage answered part ${index + 1} without an ETag`,
          );
        }
        parts.push({ partNumber: index + 1, etag });
      }
      await hub.completeMultipart(answer.completionUrl, answer.oid, parts, signal);
      break;
    }
  }
  if (answer.verify !== null) await hub.verifyLfs(answer.verify, answer.oid, answer.size, signal);
}
