import type { Registry } from 'prom-client';

/** What prom-client's registry reads from a metric when it is scraped. */
interface HistogramValues {
  readonly name: string;
  readonly help: string;
  readonly type: 'histogram';
  readonly aggregator: 'sum';
  readonly values: { readonly labels: Record<string, string | number>; readonly value: number; readonly metricName: string }[];
}

/**
 * An unlabelled histogram for the ingest hot path, observed once per message at hundreds of
 * thousands a second: a bucket index and three additions, where prom-client's Histogram
 * builds a closure and a label object and hashes the labels on every call. It registers
 * with a prom-client registry like any metric and scrapes in the same text form.
 */
export class HotHistogram {
  readonly name: string;
  readonly help: string;
  private readonly bounds: Float64Array;
  /** Per bucket (the last one is +Inf), not cumulative. */
  private counts: Float64Array;
  private sum = 0;
  private count = 0;

  constructor(config: { readonly name: string; readonly help: string; readonly buckets: readonly number[]; readonly registers: readonly Registry[] }) {
    this.name = config.name;
    this.help = config.help;
    this.bounds = Float64Array.from([...config.buckets].sort((a, b) => a - b));
    this.counts = new Float64Array(this.bounds.length + 1);
    // The registry only needs name, help, get() and reset(); its types ask for prom-client's own classes.
    for (const r of config.registers) r.registerMetric(this as never);
  }

  observe(value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    (this.counts[i] as number)++;
    this.sum += value;
    this.count++;
  }

  get(): Promise<HistogramValues> {
    const values: HistogramValues['values'] = [];
    let cumulative = 0;
    for (let i = 0; i <= this.bounds.length; i++) {
      cumulative += this.counts[i] as number;
      values.push({ labels: { le: i < this.bounds.length ? (this.bounds[i] as number) : '+Inf' }, value: cumulative, metricName: `${this.name}_bucket` });
    }
    values.push({ labels: {}, value: this.sum, metricName: `${this.name}_sum` }, { labels: {}, value: this.count, metricName: `${this.name}_count` });
    return Promise.resolve({ name: this.name, help: this.help, type: 'histogram', aggregator: 'sum', values });
  }

  reset(): void {
    this.counts = new Float64Array(this.bounds.length + 1);
    this.sum = 0;
    this.count = 0;
  }
}
