import { randomBytes } from "node:crypto";
import t from "tap";
import { encodeCommit } from "../../../core/hub/encode-commit.js";

t.test("the announced length is the byte length of the body, for any content size", async (t) => {
  for (const size of [0, 1, 2, 3, 4, 196_607, 196_608, 196_609, 500_001]) {
    const content = randomBytes(size);
    const encoded = encodeCommit({
      summary: "Ünïcode ✓",
      operations: [
        { kind: "file", path: "dïr/ä.bin", content },
        { kind: "lfsFile", path: "m.bin", oid: "0".repeat(64), size: 1 },
      ],
    });
    const body = Buffer.concat([...encoded.chunks()]);
    t.equal(body.length, encoded.length, `size ${size}`);
    const fileLine = JSON.parse(body.toString("utf8").split("\n")[1] ?? "") as { value: { content: string } };
    t.ok(
      Buffer.from(fileLine.value.content, "base64").equals(content),
      `content of size ${size} round-trips`,
    );
  }
});

t.test("lines are built while the body is read, not up front", async (t) => {
  const content = Buffer.from("aaa");
  const encoded = encodeCommit({ summary: "s", operations: [{ kind: "file", path: "x", content }] });
  // Same length, other bytes: only an encoder that runs during iteration sees the change.
  content.write("bbb");
  const body = Buffer.concat([...encoded.chunks()]).toString();
  t.match(body, Buffer.from("bbb").toString("base64"));
  t.equal(
    Buffer.concat([...encodeCommit({ summary: "s", operations: [] }).chunks()]).toString(),
    '{"key":"header","value":{"summary":"s","description":""}}\n',
  );
});
