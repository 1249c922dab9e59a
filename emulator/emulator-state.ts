import type { IncomingMessage, ServerResponse } from "node:http";
import type Database from "better-sqlite3";
import type { EmulatorConfig } from "./emulator-config.js";
import type { FaultRules, RouteName } from "./fault-rules.js";
import type { ObjectStore } from "./object-store.js";
import type { RepoStore } from "./repo-store.js";
import type { TreeIndex } from "./tree-index.js";
import type { UrlSigner } from "./url-signer.js";
import type { XetCas } from "./xet-cas.js";

/** Everything the handlers share: resolved options, metadata, objects, signer, fault rules. */
export interface EmulatorState {
  readonly config: EmulatorConfig;
  readonly db: Database.Database;
  readonly repos: RepoStore;
  readonly tree: TreeIndex;
  readonly objects: ObjectStore;
  readonly signer: UrlSigner;
  readonly faults: FaultRules;
  /** The Xet CAS (xet-protocol.md); its options say whether repos are Xet-enabled. */
  readonly xet?: XetCas;
}

/** One request in flight; handlers fill in the fields the access log reports. */
export interface RequestContext {
  readonly state: EmulatorState;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  readonly requestId: string;
  /** Base for absolute URLs: publicUrl, else `http://<Host header>`; no trailing slash. */
  readonly baseUrl: string;
  bytesIn: number;
  route: RouteName;
  repo: string | null;
  partNumber: number | null;
  oid: string | null;
}
