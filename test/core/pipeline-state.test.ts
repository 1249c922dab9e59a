import t from "tap";
import { PipelineState } from "../../core/pipeline-state.js";

t.test(
  "the runner's pipeline state: in flight while running, cleared when settled, even on failure",
  async (t) => {
    const pipeline = new PipelineState();
    t.same([pipeline.scanning, pipeline.committing], [false, false]);
    let release = (): void => {};
    const scan = pipeline.scan(() => new Promise<void>((resolve) => (release = resolve)));
    const failing = pipeline.commit(async () => {
      t.equal(pipeline.committing, true, "a commit counts while it runs");
      throw new Error("refused");
    });
    t.equal(pipeline.scanning, true, "a scan counts while it runs");
    await t.rejects(failing);
    t.equal(pipeline.committing, false, "a failed commit no longer counts");
    t.equal(pipeline.scanning, true, "the scan still runs");
    release();
    await scan;
    t.equal(pipeline.scanning, false, "a finished scan no longer counts");
  },
);
