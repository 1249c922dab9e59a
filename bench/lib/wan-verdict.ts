/**
 * W8's verdict over repeated runs (bench/wan.ts --repeat N): each client's fraction of the cap is
 * read as the median of its runs, so one run slowed by a neighbour's load on the shared machine is
 * not the whole verdict; every run's figure is printed beside it.
 */

/** The median of `values` (the mean of the middle two for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? Number.NaN)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** One client's runs on one folder, as the bench keeps them. */
export interface ClientRuns {
  readonly client: string;
  readonly fractions: readonly number[];
  readonly connections: readonly number[];
}

/** "hubpush 0.85 (median of 0.84, 0.86, 0.87; 7, 7, 6 connections)"; one run prints as itself. */
export function formatClientRuns(runs: ClientRuns): string {
  const m = median(runs.fractions).toFixed(2);
  const conns = runs.connections.join(", ");
  if (runs.fractions.length === 1) return `${runs.client} ${m} (${conns} connections)`;
  const each = runs.fractions.map((f) => f.toFixed(2)).join(", ");
  return `${runs.client} ${m} (median of ${each}; ${conns} connections)`;
}

/**
 * The order the clients run in round `round` (0-based): as given on even rounds, reversed on odd
 * ones, so a load that rises or falls through the bench weighs on every client alike.
 */
export function roundOrder<T>(clients: readonly T[], round: number): T[] {
  return round % 2 === 0 ? [...clients] : [...clients].reverse();
}
