/** Test helper run as a child process: hashes argv[2] through a HashPool and never closes it. */
import { HashPool } from "../../../core/hash/hash-pool.js";

const path = process.argv[2];
if (path === undefined) throw new Error("usage: pool-left-open.ts <file>");
const pool = new HashPool({ workers: 2 });
console.log(JSON.stringify(await pool.hash(path)));
// No close(): the process must still end on its own once the pool is idle.
