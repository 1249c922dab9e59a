// Registers scripts/ts-lines-hooks.mjs after tsx (`--import=tsx --import=./scripts/ts-lines.mjs`):
// hooks registered later run first, so .ts loads use the line-preserving compile.
import { register } from "node:module";

register("./ts-lines-hooks.mjs", import.meta.url);

// Child processes the tests spawn (daemon, CLI, writers) run `--import tsx` alone: their modules are
// whitespace-minified, and tap's report would merge their V8 offsets and source maps with ours under
// the same file URLs, garbling the figures. This process already records its coverage (tap's
// processinfo started before this import); "0" keeps the inherited environment from recording more.
process.env._TAPJS_PROCESSINFO_COVERAGE_ = "0";
