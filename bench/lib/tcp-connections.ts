import { readFileSync } from "node:fs";

export interface ConnectionCount {
  /** Distinct client connections to the port seen while watching. */
  readonly distinct: number;
  /** Most established at one sample. */
  readonly peak: number;
}

export interface ConnectionWatch {
  stop(): ConnectionCount;
}

/** Client sides (remote port = `port`) of established TCP connections, keyed by local address + inode. */
function clientConnections(port: number): string[] {
  const keys: string[] = [];
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      // sl local rem st … inode is field 9
      const remote = f[2];
      if (f[3] !== "01" || remote === undefined) continue; // 01 = ESTABLISHED
      if (Number.parseInt(remote.slice(remote.lastIndexOf(":") + 1), 16) !== port) continue;
      keys.push(`${f[1]}/${f[9]}`);
    }
  }
  return keys;
}

/**
 * Samples /proc/net/tcp every `everyMs` for connections to a local server's port: how many a
 * client opened (the emulator runs in another process, so this is the only neutral view of both
 * contenders). A connection shorter than one interval can be missed; uploads' are not that short.
 */
export function watchConnections(port: number, everyMs = 100): ConnectionWatch {
  const seen = new Set<string>();
  let peak = 0;
  const sample = () => {
    const now = clientConnections(port);
    peak = Math.max(peak, now.length);
    for (const key of now) seen.add(key);
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return { distinct: seen.size, peak };
    },
  };
}
