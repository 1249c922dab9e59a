import { chaosShortTest } from "./chaos-short-case.js";

// The big files go through the Xet CAS; chaos-short-lfs.test.ts runs the same with LFS.
chaosShortTest("xet", "test/chaos/chaos-short.test.ts");
