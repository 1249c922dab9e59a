import t from "tap";
import {
  CommitOperationAdd,
  CommitOperationDelete,
  CommitScheduler,
  connect,
  createCommit,
  HubpushError,
  preuploadLfsFiles,
  uploadFile,
  uploadFolder,
  uploadLargeFolder,
} from "../../lib/index.js";

/** JavaScript callers have no compiler: each wrong option is an ERR_USAGE naming it, before any work. */
t.test("wrong option types are ERR_USAGE naming the option", async (t) => {
  const cases: Array<[string, () => unknown, string]> = [
    [
      "createCommit commitMessage",
      () => createCommit({ repoId: "a/b", commitMessage: 5, operations: [del()] } as never),
      "commitMessage",
    ],
    [
      "createCommit operations",
      () => createCommit({ repoId: "a/b", commitMessage: "m", operations: "x" } as never),
      "operations",
    ],
    [
      "createCommit plain object operation",
      () => createCommit({ repoId: "a/b", commitMessage: "m", operations: [{ pathInRepo: "x" }] } as never),
      "operations",
    ],
    [
      "createCommit parentCommit",
      () =>
        createCommit({ repoId: "a/b", commitMessage: "m", operations: [del()], parentCommit: 1 } as never),
      "parentCommit",
    ],
    [
      "CommitOperationAdd pathOrFileobj",
      () => new CommitOperationAdd({ pathInRepo: "x", pathOrFileobj: 5 } as never),
      "pathOrFileobj",
    ],
    [
      "CommitOperationAdd pathInRepo",
      () => new CommitOperationAdd({ pathInRepo: 1, pathOrFileobj: "x" } as never),
      "pathInRepo",
    ],
    [
      "CommitOperationDelete isFolder",
      () => new CommitOperationDelete({ pathInRepo: "x", isFolder: "yes" } as never),
      "isFolder",
    ],
    ["preuploadLfsFiles additions", () => preuploadLfsFiles("a/b", [del()] as never), "additions"],
    [
      "CommitScheduler every",
      () => new CommitScheduler({ folderPath: "/tmp", repoId: "a/b", every: "5" } as never),
      "every",
    ],
    ["CommitScheduler folderPath", () => new CommitScheduler({ repoId: "a/b" } as never), "folderPath"],
    ["connect start", () => connect({ start: "yes" } as never), "start"],
    [
      "uploadLargeFolder commitMessage",
      () => uploadLargeFolder({ folderPath: "/tmp", repoId: "a/b", commitMessage: [] } as never),
      "commitMessage",
    ],
    [
      "uploadFile token",
      () => uploadFile({ pathOrFileobj: "/etc/hostname", repoId: "a/b", token: 1 } as never),
      "token",
    ],
    [
      "uploadFolder endpoint",
      () => uploadFolder({ folderPath: "/tmp", repoId: "a/b", endpoint: {} } as never),
      "endpoint",
    ],
  ];
  for (const [label, call, option] of cases) {
    let err: unknown;
    try {
      await call();
    } catch (e) {
      err = e;
    }
    t.ok(err instanceof HubpushError, `${label}: a HubpushError`);
    t.equal((err as HubpushError).code, "ERR_USAGE", `${label}: ERR_USAGE`);
    t.match((err as HubpushError).message, `\`${option}\``, `${label}: names \`${option}\``);
  }
});

t.test("createPr and deletePatterns of the wrong type are refused naming the option", async (t) => {
  for (const [option, extra] of [
    ["createPr", { createPr: "yes" }],
    ["deletePatterns", { deletePatterns: 5 }],
    ["transfer", { transfer: "ftp" }],
  ] as const) {
    const err = await uploadFolder({ folderPath: "/tmp", repoId: "a/b", ...extra } as never).catch(
      (e: unknown) => e,
    );
    t.equal((err as HubpushError).code, "ERR_USAGE", `${option}: ERR_USAGE`);
    t.match((err as HubpushError).message, `\`${option}\``, `${option}: named`);
  }
  const err = await createCommit({
    repoId: "a/b",
    commitMessage: "m",
    operations: [del()],
    createPr: 1 as unknown as boolean,
  }).catch((e: unknown) => e);
  t.match((err as HubpushError).message, /`createPr`/);
});

function del(): CommitOperationDelete {
  return new CommitOperationDelete({ pathInRepo: "x.txt" });
}
