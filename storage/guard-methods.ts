/**
 * Wraps every method of a class's prototype so that whatever it throws goes through `toError` first.
 * Used to classify SQLite failures at the journal's boundary once, instead of a try/catch in each
 * method; methods added later are covered too.
 */
export function guardMethods<T extends object>(
  cls: { readonly prototype: T },
  toError: (target: T, err: unknown) => Error,
): void {
  const proto = cls.prototype;
  for (const name of Object.getOwnPropertyNames(proto)) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, name);
    if (name === "constructor" || descriptor === undefined || typeof descriptor.value !== "function")
      continue;
    const method = descriptor.value as (this: T, ...args: unknown[]) => unknown;
    Object.defineProperty(proto, name, {
      ...descriptor,
      value: function guarded(this: T, ...args: unknown[]): unknown {
        try {
          return method.apply(this, args);
        } catch (err) {
          throw toError(this, err);
        }
      },
    });
  }
}
