import { chaosShortTest } from "./chaos-short-case.js";

// The big files go through LFS (single PUTs and multipart); chaos-short.test.ts runs the same with Xet.
chaosShortTest("lfs", "test/chaos/chaos-short-lfs.test.ts");
