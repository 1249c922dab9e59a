/** One verdict of a chaos run; the test asserts each, the script prints them. */
export interface Check {
  readonly name: string;
  readonly ok: boolean;
  /** What went wrong (the first offenders), or a short confirmation. */
  readonly detail: string;
}

/** A check that passes when `offenders` is empty, naming the first few otherwise. */
export function noneOf(name: string, offenders: readonly string[], okDetail = ""): Check {
  const shown = offenders.slice(0, 10).join("; ");
  const more = offenders.length > 10 ? ` … and ${offenders.length - 10} more` : "";
  return {
    name,
    ok: offenders.length === 0,
    detail: offenders.length === 0 ? okDetail : `${offenders.length}: ${shown}${more}`,
  };
}
