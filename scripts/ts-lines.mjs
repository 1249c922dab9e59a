// Registers scripts/ts-lines-hooks.mjs after tsx (`--import=tsx --import=./scripts/ts-lines.mjs`):
// hooks registered later run first, so .ts loads use the line-preserving compile.
import { register } from "node:module";

register("./ts-lines-hooks.mjs", import.meta.url);
