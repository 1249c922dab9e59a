/**
 * Upload one file (huggingface_hub's upload_file). Run: `npx tsx examples/upload-file.ts`, with
 * HF_TOKEN (and HF_ENDPOINT for another Hub, e.g. `hubpush emulator`) in the environment.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { uploadFile } from "hubpush";

const dir = mkdtempSync(path.join(tmpdir(), "example-"));
const local = path.join(dir, "model.safetensors");
writeFileSync(local, Buffer.alloc(2 * 1024 * 1024, 7));

const result = await uploadFile({
  pathOrFileobj: local,
  pathInRepo: "weights/model.safetensors",
  repoId: "alice/my-model",
});
console.log(`committed ${result.commits[0]?.url}`);

// Bytes made in memory are spooled into the state directory first, so a crash can resume.
const fromMemory = await uploadFile({
  pathOrFileobj: Buffer.from('{"architectures": ["MyModel"]}\n'),
  pathInRepo: "config.json",
  repoId: "alice/my-model",
  commitMessage: "Add config",
});
console.log(`committed ${fromMemory.commits[0]?.url}`);
