import { HubpushError } from "../common/hubpush-error.js";

/**
 * Runtime checks of option objects: JavaScript callers have no compiler to stop a wrong type, so
 * every public function checks what it reads and names the option in an ERR_USAGE error.
 */
export class OptionReader {
  readonly #fn: string;
  readonly #raw: Record<string, unknown>;

  constructor(fn: string, raw: unknown) {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
      throw new HubpushError("ERR_USAGE", `${fn}() takes an options object, got ${describe(raw)}`);
    }
    this.#fn = fn;
    this.#raw = raw as Record<string, unknown>;
  }

  #fail(name: string, expected: string): never {
    throw new HubpushError(
      "ERR_USAGE",
      `${this.#fn}(): option \`${name}\` must be ${expected}, got ${describe(this.#raw[name])}`,
      { details: { option: name } },
    );
  }

  has(name: string): boolean {
    return this.#raw[name] !== undefined;
  }

  raw(name: string): unknown {
    return this.#raw[name];
  }

  string(name: string): string | undefined {
    const v = this.#raw[name];
    if (v === undefined) return undefined;
    if (typeof v !== "string") this.#fail(name, "a string");
    return v;
  }

  requiredString(name: string): string {
    const v = this.string(name);
    if (v === undefined || v === "") this.#fail(name, "a non-empty string");
    return v;
  }

  boolean(name: string): boolean | undefined {
    const v = this.#raw[name];
    if (v === undefined) return undefined;
    if (typeof v !== "boolean") this.#fail(name, "true or false");
    return v;
  }

  positiveNumber(name: string): number | undefined {
    const v = this.#raw[name];
    if (v === undefined) return undefined;
    if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) this.#fail(name, "a positive number");
    return v;
  }

  oneOf<T extends string>(name: string, values: readonly T[]): T | undefined {
    const v = this.#raw[name];
    if (v === undefined) return undefined;
    if (typeof v !== "string" || !values.includes(v as T)) this.#fail(name, `one of ${values.join(", ")}`);
    return v as T;
  }

  /** A glob or a list of globs (huggingface_hub takes both); always a list out. */
  patterns(name: string): string[] | undefined {
    const v = this.#raw[name];
    if (v === undefined) return undefined;
    const list = typeof v === "string" ? [v] : v;
    if (!Array.isArray(list) || !list.every((p) => typeof p === "string" && p !== "")) {
      this.#fail(name, "a glob string or a list of non-empty glob strings");
    }
    return [...(list as string[])];
  }

  signal(name: string): AbortSignal | undefined {
    const v = this.#raw[name];
    if (v === undefined) return undefined;
    if (!(v instanceof AbortSignal)) this.#fail(name, "an AbortSignal");
    return v;
  }

  callback<F extends (...args: never[]) => unknown>(name: string): F | undefined {
    const v = this.#raw[name];
    if (v === undefined) return undefined;
    if (typeof v !== "function") this.#fail(name, "a function");
    return v as F;
  }

  /** Options the engine of this build cannot honour yet: refused rather than silently ignored. */
  unsupported(name: string): void {
    const v = this.#raw[name];
    if (v === undefined || v === false || (Array.isArray(v) && v.length === 0)) return;
    throw new HubpushError(
      "ERR_USAGE",
      `${this.#fn}(): option \`${name}\` is not supported by this build of hubpush; leave it out`,
      { details: { option: name } },
    );
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `the string ${JSON.stringify(value.slice(0, 40))}`;
  return typeof value === "object" ? "an object" : `${typeof value} ${String(value)}`;
}
