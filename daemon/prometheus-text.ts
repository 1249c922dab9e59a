/**
 * A writer for the Prometheus text exposition format 0.0.4: `# HELP` and `# TYPE` once per metric
 * family, then one `name{label="value"} number` line per sample.
 */
export type Labels = Readonly<Record<string, string | number>>;

export interface Sample {
  readonly labels?: Labels;
  readonly value: number;
}

export interface HistogramSample {
  readonly labels?: Labels;
  /** Upper bounds in ascending order, without +Inf. */
  readonly bounds: readonly number[];
  /** Non-cumulative count per bound, plus one more for values above the last bound. */
  readonly counts: readonly number[];
  readonly sum: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

function escapeLabel(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}

function escapeHelp(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll("\n", "\\n");
}

export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}

function formatLabels(labels: Labels | undefined, extra?: readonly [string, string]): string {
  const pairs = Object.entries(labels ?? {}).map(([k, v]) => `${k}="${escapeLabel(String(v))}"`);
  if (extra !== undefined) pairs.push(`${extra[0]}="${escapeLabel(extra[1])}"`);
  return pairs.length === 0 ? "" : `{${pairs.join(",")}}`;
}

export class PrometheusText {
  readonly #lines: string[] = [];
  readonly #seen = new Set<string>();

  #header(name: string, type: string, help: string): void {
    if (!NAME.test(name)) throw new Error(`invalid metric name ${name}`);
    if (this.#seen.has(name)) throw new Error(`metric ${name} written twice`);
    this.#seen.add(name);
    this.#lines.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`);
  }

  #samples(name: string, samples: readonly Sample[]): void {
    for (const s of samples) this.#lines.push(`${name}${formatLabels(s.labels)} ${formatNumber(s.value)}`);
  }

  gauge(name: string, help: string, samples: readonly Sample[]): this {
    this.#header(name, "gauge", help);
    this.#samples(name, samples);
    return this;
  }

  counter(name: string, help: string, samples: readonly Sample[]): this {
    this.#header(name, "counter", help);
    this.#samples(name, samples);
    return this;
  }

  histogram(name: string, help: string, samples: readonly HistogramSample[]): this {
    this.#header(name, "histogram", help);
    for (const s of samples) {
      let cumulative = 0;
      s.bounds.forEach((bound, i) => {
        cumulative += s.counts[i] ?? 0;
        this.#lines.push(
          `${name}_bucket${formatLabels(s.labels, ["le", formatNumber(bound)])} ${cumulative}`,
        );
      });
      cumulative += s.counts[s.bounds.length] ?? 0;
      this.#lines.push(`${name}_bucket${formatLabels(s.labels, ["le", "+Inf"])} ${cumulative}`);
      this.#lines.push(`${name}_sum${formatLabels(s.labels)} ${formatNumber(s.sum)}`);
      this.#lines.push(`${name}_count${formatLabels(s.labels)} ${cumulative}`);
    }
    return this;
  }

  toString(): string {
    return `${this.#lines.join("\n")}\n`;
  }
}
