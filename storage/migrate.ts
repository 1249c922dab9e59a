import type Database from "better-sqlite3";
import { HubpushError } from "../common/hubpush-error.js";
import type { Migration } from "./load-migrations.js";

function userVersion(db: Database.Database): number {
  return Number(db.pragma("user_version", { simple: true }));
}

function latestVersion(migrations: readonly Migration[]): number {
  return migrations.at(-1)?.version ?? 0;
}

/**
 * Refuses a journal written by a newer hubpush before anything is written to it (call it before
 * switching the journal mode): its tables may mean things this code does not know.
 */
export function assertNotFromFuture(
  db: Database.Database,
  path: string,
  migrations: readonly Migration[],
): void {
  const found = userVersion(db);
  const known = latestVersion(migrations);
  if (found > known) {
    throw new HubpushError(
      "ERR_JOURNAL_FROM_FUTURE",
      `The journal ${path} has schema version ${found}, but this hubpush knows versions up to ${known}: ` +
        "it was written by a newer hubpush. Upgrade hubpush, or set HUBPUSH_HOME to another folder to " +
        "start a separate journal. The file was left untouched.",
      { details: { path, found, known } },
    );
  }
}

/**
 * Applies the migrations above the journal's `user_version`, all in ONE immediate transaction with
 * the version bump, so a crash or a concurrent opener sees either the old schema or the new one.
 * Returns the versions before and after; reopening an up-to-date journal writes nothing.
 */
export function migrate(
  db: Database.Database,
  path: string,
  migrations: readonly Migration[],
): { from: number; to: number } {
  const from = userVersion(db);
  const to = latestVersion(migrations);
  if (from === to) return { from, to };
  db.transaction(() => {
    // Re-read under the write lock: another process may have migrated since the first read.
    assertNotFromFuture(db, path, migrations);
    const current = userVersion(db);
    for (const migration of migrations) {
      if (migration.version > current) db.exec(migration.sql);
    }
    db.pragma(`user_version = ${to}`);
  }).immediate();
  return { from, to };
}
