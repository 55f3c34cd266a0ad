import type { LocalClock } from './local-time.js';

/**
 * The series forecare forecasts, cut from the history it keeps: every ticket opened, every
 * ticket whose fault needs a visit, every proactive contact (by channel) and every contact
 * that ended with no answer (the customer calls back: an inbound call), each tagged with the
 * region, appliance type and the customer's language (the skill that answers).
 */
export const METRICS = ['tickets', 'visits', 'contacts', 'inbound_calls'] as const;
export type Metric = (typeof METRICS)[number];

export const DIMENSIONS = ['region', 'applianceType', 'language', 'channel'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export interface HistoryEvent {
  readonly at: number;
  readonly metric: Metric;
  readonly region: string;
  readonly applianceType: string;
  readonly language: string;
  readonly channel: string;
}

/** Appliances registered (fleet size per model over time): the exposure faults scale with. */
export interface FleetEntry {
  readonly registeredAt: number;
  readonly region: string;
  readonly applianceType: string;
  readonly count: number;
}

/** One series: a metric, narrowed by any of the dimensions (absent = all). */
export interface SeriesKey {
  readonly metric: Metric;
  readonly region?: string | undefined;
  readonly applianceType?: string | undefined;
  readonly language?: string | undefined;
  readonly channel?: string | undefined;
}

export function seriesLabel(key: SeriesKey): string {
  const parts: string[] = [key.metric.replace('_', ' ')];
  if (key.region !== undefined) parts.push(`region ${key.region}`);
  if (key.applianceType !== undefined) parts.push(key.applianceType.replace('_', ' '));
  if (key.language !== undefined) parts.push(`language ${key.language}`);
  if (key.channel !== undefined) parts.push(`channel ${key.channel}`);
  return parts.join(' · ');
}

/**
 * The queue/skill a workforce-management tool staffs for a series: inbound calls by language,
 * outbound (proactive) contacts by channel and language, field visits by region.
 */
export function queueOf(key: SeriesKey): string {
  const lang = key.language ?? 'all';
  switch (key.metric) {
    case 'inbound_calls':
      return `inbound-${lang}`;
    case 'contacts':
      return `outbound-${key.channel ?? 'all'}-${lang}`;
    case 'visits':
      return `field-${key.region ?? 'all'}`;
    case 'tickets':
      return `tickets-${key.region ?? 'all'}`;
  }
}

function matches(e: HistoryEvent, key: SeriesKey): boolean {
  return e.metric === key.metric && (key.region === undefined || e.region === key.region) && (key.applianceType === undefined || e.applianceType === key.applianceType)
    && (key.language === undefined || e.language === key.language) && (key.channel === undefined || e.channel === key.channel);
}

/** The history bucketed once into local days and hours, then cut into any series. */
export class History {
  private readonly slots: Int32Array;
  private readonly dayIndex = new Map<string, number>();

  constructor(
    private readonly events: readonly HistoryEvent[],
    private readonly fleet: readonly FleetEntry[],
    readonly dates: readonly string[],
    readonly clock: LocalClock,
  ) {
    dates.forEach((d, i) => this.dayIndex.set(d, i));
    this.slots = new Int32Array(events.length);
    events.forEach((e, i) => {
      const { date, hour } = clock.local(e.at);
      const d = this.dayIndex.get(date);
      this.slots[i] = d === undefined ? -1 : d * 24 + hour;
    });
  }

  /** Distinct values of a dimension seen in the history (for "by region" views), most frequent first. */
  values(dimension: Dimension, metric?: Metric): string[] {
    const counts = new Map<string, number>();
    for (const e of this.events) if (metric === undefined || e.metric === metric) counts.set(e[dimension], (counts.get(e[dimension]) ?? 0) + 1);
    return [...counts.entries()].filter(([v]) => v !== '').sort((a, b) => b[1] - a[1]).map(([v]) => v);
  }

  /** Counts per local day and per local hour (day-major, 24 per day). */
  counts(key: SeriesKey): { daily: number[]; hourly: number[] } {
    const daily = new Array<number>(this.dates.length).fill(0);
    const hourly = new Array<number>(this.dates.length * 24).fill(0);
    this.events.forEach((e, i) => {
      const slot = this.slots[i] ?? -1;
      if (slot < 0 || !matches(e, key)) return;
      hourly[slot] = (hourly[slot] ?? 0) + 1;
      const d = Math.floor(slot / 24);
      daily[d] = (daily[d] ?? 0) + 1;
    });
    return { daily, hourly };
  }

  /** Appliances registered by the end of each day, in the series' region and type (undefined when the fleet is unknown). */
  exposure(key: SeriesKey): number[] | undefined {
    const relevant = this.fleet.filter((f) => (key.region === undefined || f.region === key.region) && (key.applianceType === undefined || f.applianceType === key.applianceType));
    if (relevant.length === 0) return undefined;
    const ends = this.dates.map((d, i) => this.clock.startOf(this.dates[i + 1] ?? nextDay(d)));
    const sorted = [...relevant].sort((a, b) => a.registeredAt - b.registeredAt);
    const out: number[] = [];
    let k = 0;
    let total = 0;
    for (const end of ends) {
      while (k < sorted.length && (sorted[k]?.registeredAt ?? Infinity) < end) total += sorted[k++]?.count ?? 0;
      out.push(total);
    }
    return out.every((n) => n === 0) ? undefined : out;
  }
}

function nextDay(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}
