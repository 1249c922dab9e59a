import t from "tap";
import { loadMigrations, locateMigrationsDir } from "../../storage/load-migrations.js";

t.test("the shipped migrations are found and numbered from 1 without gaps", async (t) => {
  const migrations = loadMigrations();
  t.ok(locateMigrationsDir().endsWith("/migrations/"));
  t.same(
    migrations.map((m) => m.version),
    migrations.map((_, i) => i + 1),
  );
  t.equal(migrations[0]?.name, "0001-initial.sql");
  t.match(migrations[0]?.sql, /CREATE TABLE jobs/);
});

t.test("a gap, a duplicate or an empty folder is refused; other files are ignored", async (t) => {
  const sql = "SELECT 1;";
  const gap = t.testdir({ "0001-a.sql": sql, "0003-c.sql": sql });
  t.throws(() => loadMigrations(gap), { code: "ERR_INTERNAL", message: /0003-c\.sql/ });
  const duplicate = t.testdir({ "0001-a.sql": sql, "0001-b.sql": sql });
  t.throws(() => loadMigrations(duplicate), { code: "ERR_INTERNAL" });
  const empty = t.testdir({ "README.md": "notes" });
  t.throws(() => loadMigrations(empty), { code: "ERR_INTERNAL", message: /No journal migrations/ });
  const fine = t.testdir({ "0002-b.sql": sql, "0001-a.sql": sql, "notes.txt": "", "1-bad.sql": sql });
  t.same(
    loadMigrations(fine).map((m) => m.name),
    ["0001-a.sql", "0002-b.sql"],
  );
});
