import t from "tap";
import type { PathInfo } from "../../../core/hub/hub-client.js";
import { compareFiles } from "../../../core/verify/compare-files.js";

// hub-protocol.md §7.5 vectors: "Hello, World!" as a regular file and as an LFS file.
const SHA256 = "dffd6021bb2bd5b0af676290809ec3a53191dd81c7f70a4b28688a362182986f";
const SHA1 = "b45ef6fec89518d314f546fd6c3025367b721684";
const POINTER_SHA1 = "7b881e04125f228c1be92cb44b549fd1e9d1d84a";

const regular = (path: string, oid = SHA1, size = 13): PathInfo => ({
  path,
  type: "file",
  oid,
  size,
  lfs: null,
});
const lfs = (path: string, oid = SHA256, size = 13): PathInfo => ({
  path,
  type: "file",
  oid: POINTER_SHA1,
  size,
  lfs: { oid, size },
});
const local = (path: string) => ({ path, size: 13, sha256: SHA256, sha1: SHA1 });

t.test("regular files compare blob sha1, LFS files sha256; the lists are sorted", async (t) => {
  const remote = new Map<string, PathInfo>([
    ["r.txt", regular("r.txt")],
    ["l.bin", lfs("l.bin")],
    ["bad-r.txt", regular("bad-r.txt", "0".repeat(40))],
    ["bad-l.bin", lfs("bad-l.bin", "f".repeat(64))],
    ["size.txt", regular("size.txt", SHA1, 14)],
    ["z-only.txt", regular("z-only.txt")],
    ["a-only.txt", regular("a-only.txt")],
  ]);
  const out = compareFiles(
    ["r.txt", "l.bin", "bad-r.txt", "bad-l.bin", "size.txt", "missing.txt"].map(local),
    remote,
  );
  t.same(out.identical, ["l.bin", "r.txt"]);
  t.same(
    out.different.map((d) => [d.path, d.remoteMode, d.local.oid]),
    [
      ["bad-l.bin", "lfs", SHA256],
      ["bad-r.txt", "regular", SHA1],
      ["size.txt", "regular", SHA1],
    ],
  );
  t.same(out.missingRemotely, ["missing.txt"]);
  t.same(out.onlyRemote, ["a-only.txt", "z-only.txt"]);
  const big = compareFiles([{ path: "r.txt", size: 13, sha256: SHA256, sha1: null }], remote);
  t.same(
    big.different.map((d) => d.path),
    ["r.txt"],
    "no blob sha1 (over 10 MiB) never equals a regular oid",
  );
});
