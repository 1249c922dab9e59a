import t from "tap";
import { DEFAULT_TUNING } from "../../../core/engine-tuning.js";
import { BatchSizer } from "../../../core/stages/batch-sizer.js";

t.test("the commit size grows after fast full commits and shrinks on failure or slowness", async (t) => {
  const sizer = new BatchSizer(DEFAULT_TUNING.commitSizes, DEFAULT_TUNING.initialCommitSizeIndex, 40_000);
  t.equal(sizer.target, 250, "starts at 250");
  sizer.onSuccess(250, 1_000);
  t.equal(sizer.target, 400, "a full fast commit grows it");
  sizer.onSuccess(100, 1_000);
  t.equal(sizer.target, 400, "a partial commit does not");
  sizer.onSuccess(400, 45_000);
  t.equal(sizer.target, 250, "a slow commit shrinks it");
  sizer.onFailure();
  t.equal(sizer.target, 200, "a failure shrinks it");
  for (let i = 0; i < 20; i++) sizer.onFailure();
  t.equal(sizer.target, 20, "never below 20");
  for (let i = 0; i < 20; i++) sizer.onSuccess(sizer.target, 10);
  t.equal(sizer.target, 1000, "never above 1000");
});

t.test("targetAfterFast: the size the next batch is prepared at while a commit is in flight", async (t) => {
  const sizer = new BatchSizer([20, 50, 100], 0, 40_000);
  t.equal(sizer.targetAfterFast(20), 50, "a full batch in flight: the next step up");
  t.equal(sizer.targetAfterFast(10), 20, "a partial one: the same size");
  t.equal(sizer.target, 20, "asking does not move it");
  sizer.onSuccess(20, 10);
  sizer.onSuccess(50, 10);
  t.equal(sizer.targetAfterFast(100), 100, "never above the largest");
});
