import { writeFileSync } from "node:fs";
import path from "node:path";
import t from "tap";
import { startHarness, WRITE_TOKEN } from "../helpers/engine-harness.js";
import { noise } from "../helpers/noise.js";
import { downloadRemoteFile } from "../helpers/remote-repo.js";

/**
 * --max-rate holds for Xet uploads too: a xorb body is paced piece by piece as it goes out, not
 * charged once and sent whole (which let a 2 MiB xorb through at full speed). Only a lower bound on
 * the time is asserted (a loaded machine makes it slower, never faster).
 */
const MiB = 1024 * 1024;

t.test("a Xet upload honours --max-rate: its xorb goes out no faster than the cap", async (t) => {
  const h = await startHarness({ emulator: { lfsThresholdBytes: 0 } });
  t.teardown(() => h.close());
  const rate = 512 * 1024;
  h.engine.updateSettings({ maxRateBytesPerSec: rate });
  const bytes = noise(2 * MiB, 7); // incompressible: the xorb is about as big as the file
  writeFileSync(path.join(h.folder, "paced.bin"), bytes);
  const started = Date.now();
  const job = h.add("user/xet-paced");
  const settled = await h.engine.whenSettled(job.id);
  const elapsedMs = Date.now() - started;
  t.equal(settled.state, "done", "the job finished");
  const seen = h.requests().map((r) => r.route);
  t.ok(seen.includes("xet-xorb") && !seen.includes("lfs-put"), "the file went through the Xet CAS");
  // The bucket's burst is a quarter second (128 KiB): the rest takes (2 MiB - 128 KiB) / 512 KiB/s
  // = 3.75 s at least; 2.5 s leaves room for the clock, and the unpaced upload took well under 1 s.
  const floorMs = 2_500;
  t.ok(elapsedMs >= floorMs, `2 MiB at 512 KiB/s took ${elapsedMs} ms (at least ${floorMs} ms)`);
  const repo = { endpoint: h.emulator.url, id: "user/xet-paced", token: WRITE_TOKEN };
  t.ok((await downloadRemoteFile(repo, "paced.bin")).equals(bytes), "byte-identical");
});
