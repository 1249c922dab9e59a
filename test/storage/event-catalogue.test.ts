import { readFileSync } from "node:fs";
import t from "tap";
import { EVENT_CATALOGUE } from "../../storage/event-catalogue.js";

const DOC = new URL("../../docs/control-api.md", import.meta.url);

/** The event table of docs/control-api.md: type → its data fields, in the order written. */
function documentedEvents(): Map<string, string[]> {
  const text = readFileSync(DOC, "utf8");
  const start = text.indexOf("<!-- event-catalogue:start -->");
  const end = text.indexOf("<!-- event-catalogue:end -->");
  if (start < 0 || end < start) throw new Error("docs/control-api.md lost its event-catalogue markers");
  const rows = new Map<string, string[]>();
  for (const line of text.slice(start, end).split("\n")) {
    const cells = line.split("|").map((c) => c.trim());
    const type = /^`([a-z]+\.[a-z]+)`$/.exec(cells[1] ?? "")?.[1];
    if (type === undefined) continue;
    const fields = [...(cells[2] ?? "").matchAll(/`([A-Za-z]+)`/g)].map((m) => m[1] ?? "");
    rows.set(type, fields);
  }
  return rows;
}

t.test("docs/control-api.md lists exactly the event catalogue, with each type's data fields", async (t) => {
  const documented = documentedEvents();
  t.same([...documented.keys()].sort(), Object.keys(EVENT_CATALOGUE).sort(), "the same types");
  for (const [type, description] of Object.entries(EVENT_CATALOGUE)) {
    t.same(documented.get(type), description.fields, `${type}: the same data fields`);
  }
});

t.test("event types are <noun>.<past-verb> and unique", async (t) => {
  for (const type of Object.keys(EVENT_CATALOGUE)) t.match(type, /^[a-z]+\.[a-z]+$/, type);
});
