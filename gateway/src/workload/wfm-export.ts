import { LocalClock } from '../forecast/local-time.js';
import { queueOf, type History, type SeriesKey } from '../forecast/series.js';
import type { ForecastReport } from './workload-forecaster.js';

/**
 * The forecast in the shape workforce-management tools import: one row per interval and
 * queue — interval start (local time with its UTC offset), queue/skill, volume — with the 80 %
 * band beside it for planners who staff to a percentile.
 */

export const EXPORT_SETS = ['contact_center', 'field', 'tickets'] as const;
export type ExportSet = (typeof EXPORT_SETS)[number];

export interface WfmRow {
  readonly intervalStart: string;
  readonly queue: string;
  readonly volume: number;
  readonly volumeLow80: number;
  readonly volumeHigh80: number;
}

/** The queues of an export: the contact center's (inbound by language, outbound by channel and language), field visits by region, or tickets by region. */
export function exportKeys(set: ExportSet, history: History): SeriesKey[] {
  switch (set) {
    case 'contact_center': {
      const inbound = history.values('language', 'inbound_calls').map((language): SeriesKey => ({ metric: 'inbound_calls', language }));
      const outbound = history.values('channel', 'contacts').flatMap((channel) => history.values('language', 'contacts').map((language): SeriesKey => ({ metric: 'contacts', channel, language })));
      return [...inbound, ...outbound];
    }
    case 'field':
      return history.values('region', 'visits').map((region) => ({ metric: 'visits', region }));
    case 'tickets':
      return history.values('region', 'tickets').map((region) => ({ metric: 'tickets', region }));
  }
}

/** ISO 8601 local time with its offset, e.g. 2026-07-16T09:00:00+08:00. */
export function localIso(clock: LocalClock, date: string, hour: number): string {
  const at = clock.startOf(date, hour);
  const local = clock.local(at);
  const offsetMin = Math.round((Date.parse(`${local.date}T${String(local.hour).padStart(2, '0')}:00:00Z`) - at) / 60_000);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  return `${local.date}T${String(local.hour).padStart(2, '0')}:00:00${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

export function wfmRows(report: ForecastReport, granularity: 'daily' | 'hourly'): WfmRow[] {
  const clock = new LocalClock(report.timeZone);
  const rows: WfmRow[] = [];
  for (const s of report.series) {
    const queue = queueOf(s.key);
    if (granularity === 'daily') for (const p of s.daily) rows.push({ intervalStart: localIso(clock, p.date, 0), queue, volume: p.mean, volumeLow80: p.lo80, volumeHigh80: p.hi80 });
    else for (const p of s.hourly) rows.push({ intervalStart: localIso(clock, p.date, p.hour), queue, volume: p.mean, volumeLow80: p.lo80, volumeHigh80: p.hi80 });
  }
  return rows.sort((a, b) => (a.intervalStart < b.intervalStart ? -1 : a.intervalStart > b.intervalStart ? 1 : a.queue < b.queue ? -1 : 1));
}

/** RFC 4180 CSV; a queue name is quoted when it holds a comma, quote or line break (names come from customer data). */
export function wfmCsv(rows: readonly WfmRow[]): string {
  const cell = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return ['interval_start,queue,volume,volume_low_80,volume_high_80', ...rows.map((r) => `${r.intervalStart},${cell(r.queue)},${r.volume},${r.volumeLow80},${r.volumeHigh80}`)].join('\r\n') + '\r\n';
}
