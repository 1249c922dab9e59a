import { once } from "node:events";
import { parseArgs } from "node:util";
import { parseLinkSpec } from "./link-spec.js";
import { type EmulatorOptions, startEmulator } from "./start-emulator.js";

const USAGE = `usage: hubpush emulator [--port N] [--host H] [--data-dir DIR] [--token T]... [--public-url URL]
       [--faults SPEC] [--seed N] [--access-log FILE] [--admin-token T] [--lfs-threshold BYTES]
       [--multipart-threshold BYTES] [--chunk-size BYTES] [--regular-max BYTES] [--no-xet]
       [--org NAME[:private-by-default][:members=a,b]]... [--link rtt=MS,conn=BYTES_PER_S,total=BYTES_PER_S]`;

function int(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isSafeInteger(value) || value < 0) {
    throw new Error(`--${flag} must be a non-negative integer, got "${raw}".`);
  }
  return value;
}

/** `hubpush emulator …`: prints the base URL as the first stdout line, serves until SIGINT/SIGTERM. */
export async function emulatorCommand(argv: readonly string[]): Promise<number> {
  let options: EmulatorOptions;
  try {
    const { values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: "string" },
        host: { type: "string" },
        "data-dir": { type: "string" },
        token: { type: "string", multiple: true },
        org: { type: "string", multiple: true },
        "public-url": { type: "string" },
        faults: { type: "string" },
        seed: { type: "string" },
        "access-log": { type: "string" },
        "admin-token": { type: "string" },
        "lfs-threshold": { type: "string" },
        "multipart-threshold": { type: "string" },
        "chunk-size": { type: "string" },
        "regular-max": { type: "string" },
        "no-xet": { type: "boolean" },
        link: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    options = {
      port: int("port", values.port),
      host: values.host,
      dataDir: values["data-dir"],
      tokens: values.token,
      orgs: values.org,
      publicUrl: values["public-url"],
      faults: values.faults,
      seed: int("seed", values.seed),
      accessLog: values["access-log"],
      adminToken: values["admin-token"],
      lfsThresholdBytes: int("lfs-threshold", values["lfs-threshold"]),
      multipartThresholdBytes: int("multipart-threshold", values["multipart-threshold"]),
      multipartChunkBytes: int("chunk-size", values["chunk-size"]),
      regularMaxBytes: int("regular-max", values["regular-max"]),
      xet: values["no-xet"] === true ? false : undefined,
      link: values.link,
    };
    if (values.link !== undefined) parseLinkSpec(values.link); // a bad spec is a usage error
  } catch (err) {
    process.stderr.write(`hubpush emulator: ${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
    return 2;
  }
  let emulator: Awaited<ReturnType<typeof startEmulator>>;
  try {
    emulator = await startEmulator(options);
  } catch (err) {
    process.stderr.write(
      `hubpush emulator: cannot start: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    return 1;
  }
  process.stdout.write(`${emulator.url}\n`);
  process.stderr.write(`hubpush emulator: serving ${emulator.url}, data in ${emulator.dataDir}\n`);
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    await once(stop.signal, "abort");
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await emulator.close();
  }
  return 0;
}
