import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { HubpushError } from "../common/hubpush-error.js";

export interface Migration {
  /** The NNNN prefix of the file name; `PRAGMA user_version` holds the highest one applied. */
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

const MIGRATION_FILE = /^(\d{4})-[a-z0-9][a-z0-9-]*\.sql$/;

/**
 * `<repo>/migrations` sits beside `storage/` when running the sources (tsx) and two levels up from
 * `dist/storage/` when running the build, so both places are tried, in that order.
 */
export function locateMigrationsDir(): string {
  const candidates = [
    new URL("../migrations/", import.meta.url),
    new URL("../../migrations/", import.meta.url),
  ];
  for (const url of candidates) {
    const dir = fileURLToPath(url);
    if (existsSync(dir) && statSync(dir).isDirectory()) return dir;
  }
  throw new HubpushError(
    "ERR_INTERNAL",
    `The journal migrations folder was not found (looked in ${candidates.map((u) => fileURLToPath(u)).join(" and ")}). ` +
      "The hubpush installation is incomplete: reinstall it.",
  );
}

/** Reads `NNNN-name.sql` files, ordered by number; the numbers must run 1, 2, … without gaps. */
export function loadMigrations(dir: string = locateMigrationsDir()): Migration[] {
  const migrations: Migration[] = [];
  for (const name of readdirSync(dir)) {
    const match = MIGRATION_FILE.exec(name);
    if (match?.[1] === undefined) continue;
    migrations.push({ version: Number(match[1]), name, sql: readFileSync(`${dir}/${name}`, "utf8") });
  }
  migrations.sort((a, b) => a.version - b.version);
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new HubpushError(
        "ERR_INTERNAL",
        `The journal migrations in ${dir} are not numbered 0001, 0002, … without gaps or duplicates ` +
          `(found ${migration.name} at position ${index + 1}). The hubpush installation is broken: reinstall it.`,
      );
    }
  });
  if (migrations.length === 0) {
    throw new HubpushError("ERR_INTERNAL", `No journal migrations found in ${dir}: reinstall hubpush.`);
  }
  return migrations;
}
