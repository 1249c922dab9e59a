import { execFileSync } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import t from "tap";
import { publicNames } from "./fixtures/api-report.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const TSC = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
/** What the package is built from, copied so the build never rewrites dist/ under other tests. */
const SOURCES = [
  "cli",
  "daemon",
  "core",
  "storage",
  "emulator",
  "xet",
  "lib",
  "common",
  "migrations",
  "ui",
  "docs",
];
const TOP_FILES = ["package.json", "tsconfig.json", "tsconfig.build.json", "README.md"];

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, npm_config_offline: "true" },
  });
}

/**
 * Uses the package as a user would: builds it, `npm pack`s it, installs the tarball into an empty
 * project (extracted as npm does, its dependencies linked from this checkout: nothing downloads),
 * typechecks under strict a file that imports every public name, and runs it against the emulator
 * the package exports. A name missing from the tarball's types or code fails it.
 */
t.test("the packed tarball works in an empty TypeScript project", async (t) => {
  const work = mkdtempSync(path.join(tmpdir(), "hp-consumer-"));
  t.teardown(() => rmSync(work, { recursive: true, force: true }));
  const pkg = path.join(work, "pkg");
  mkdirSync(pkg);
  for (const dir of SOURCES) cpSync(path.join(ROOT, dir), path.join(pkg, dir), { recursive: true });
  for (const file of TOP_FILES) cpSync(path.join(ROOT, file), path.join(pkg, file));
  symlinkSync(path.join(ROOT, "node_modules"), path.join(pkg, "node_modules"));
  run(process.execPath, [TSC, "-p", "tsconfig.build.json"], pkg);
  run("npm", ["pack", "--pack-destination", work, "--silent"], pkg);
  const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"));
  t.ok(tarball, "npm pack made a tarball");

  const app = path.join(work, "app");
  const installed = path.join(app, "node_modules", "hubpush");
  mkdirSync(installed, { recursive: true });
  mkdirSync(path.join(app, "node_modules", "@types"));
  run("tar", ["-xzf", path.join(work, tarball ?? ""), "-C", installed, "--strip-components=1"], app);
  const manifest = JSON.parse(readFileSync(path.join(installed, "package.json"), "utf8")) as {
    dependencies: Record<string, string>;
  };
  for (const dep of Object.keys(manifest.dependencies)) {
    symlinkSync(path.join(ROOT, "node_modules", dep), path.join(app, "node_modules", dep));
  }
  symlinkSync(
    path.join(ROOT, "node_modules", "@types", "node"),
    path.join(app, "node_modules", "@types", "node"),
  );
  writeFileSync(
    path.join(app, "package.json"),
    JSON.stringify({ name: "app", private: true, type: "module" }),
  );
  writeFileSync(
    path.join(app, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        noUncheckedIndexedAccess: true,
        skipLibCheck: false,
        types: ["node"],
        outDir: "out",
      },
      include: ["main.ts"],
    }),
  );
  const { values, types } = publicNames(ROOT);
  t.ok(values.includes("uploadFolder") && types.includes("UploadResult"), "the names come from lib/index.ts");
  writeFileSync(path.join(app, "main.ts"), consumerProgram(values, types));

  try {
    run(process.execPath, [TSC, "-p", "tsconfig.json"], app);
    t.pass("main.ts typechecks under strict against the installed types");
  } catch (err) {
    t.fail(`typecheck failed:\n${(err as { stdout?: string }).stdout ?? String(err)}`);
    return;
  }
  const output = run(process.execPath, [path.join("out", "main.js")], app);
  const result = JSON.parse(output.trim().split("\n").at(-1) ?? "{}") as { ok?: boolean; commits?: number[] };
  t.same(result, { ok: true, commits: [1, 1, 40] }, "the program ran against the emulator");
});

function consumerProgram(values: readonly string[], types: readonly string[]): string {
  return `import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ${values.join(", ")} } from "hubpush";
import type { ${types.join(", ")} } from "hubpush";

export type EveryPublicType = [${types.join(", ")}];
const everyValue: Record<string, unknown> = { ${values.join(", ")} };
for (const [name, value] of Object.entries(everyValue)) {
  if (value === undefined) throw new Error(\`\${name} is not exported at runtime\`);
}

const hub: RunningEmulator = await startEmulator();
try {
  const dir = mkdtempSync(path.join(tmpdir(), "app-"));
  writeFileSync(path.join(dir, "a.txt"), "a\\n");
  writeFileSync(path.join(dir, "b.bin"), Buffer.alloc(20_000, 1));
  const hubOptions: HubOptions = { endpoint: hub.url, token: "hf_emulator_default", hubpushHome: mkdtempSync(path.join(tmpdir(), "hp-")) };
  const folder: UploadResult = await uploadFolder({ ...hubOptions, folderPath: dir, repoId: "user/consumer" });
  const file = await uploadFile({ ...hubOptions, pathOrFileobj: Buffer.from("x"), pathInRepo: "x.txt", repoId: "user/consumer" });
  const commit: CreateCommitResult = await createCommit({
    ...hubOptions,
    repoId: "user/consumer",
    commitMessage: "ops",
    operations: [new CommitOperationDelete({ pathInRepo: "x.txt" }), new CommitOperationCopy({ srcPathInRepo: "b.bin", pathInRepo: "c.bin" })],
  });
  const wrong = await uploadFolder({ folderPath: 3 as unknown as string, repoId: "a/b" }).catch((e: unknown) => e);
  if (!(wrong instanceof HubpushError) || wrong.code !== "ERR_USAGE" || !isErrorCode(wrong.code)) throw new Error("no ERR_USAGE");
  console.log(JSON.stringify({ ok: true, commits: [folder.commits.length, file.commits.length, commit.oid.length] }));
} finally {
  await hub.close();
}
`;
}
