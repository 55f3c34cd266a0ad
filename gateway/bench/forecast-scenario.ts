import { readFileSync } from 'node:fs';
import { generateHistory, type SimHistory, type WeatherEvent } from '@forecare/device-sim';
import type { BacktestSeries } from '../dist/forecast/backtest.js';
import { dayKind, parseHolidayFile, type HolidayCalendar } from '../dist/forecast/calendar.js';
import { LocalClock } from '../dist/forecast/local-time.js';
import { History, type FleetEntry, type HistoryEvent, type SeriesKey } from '../dist/forecast/series.js';

/**
 * The forecast backtest's world: twelve simulated months of a Chinese fleet (four regions,
 * CN holidays, Asia/Shanghai) with a heat wave in the East in July and a cold snap in the
 * North in January, neither like anything before it. Shared by the benchmark script and the
 * test that asserts the targets, so both measure the same thing.
 */

export const SCENARIO_START = '2025-03-01';
export const SCENARIO_DAYS = 365;
export const HEAT_WAVE: WeatherEvent = { kind: 'heat_wave', region: 'East', firstDay: 158, days: 6, deltaC: 8 };
export const COLD_SNAP: WeatherEvent = { kind: 'cold_snap', region: 'North', firstDay: 322, days: 6, deltaC: -11 };

export function chinaCalendar(): HolidayCalendar {
  const file = new URL('../holidays/CN.json', import.meta.url);
  return parseHolidayFile(JSON.parse(readFileSync(file, 'utf8')) as unknown, 'CN.json');
}

/** The history rows as the gateway's history store reads them (events and fleet). */
export function eventsOf(sim: SimHistory): { events: HistoryEvent[]; fleet: FleetEntry[] } {
  const customer = new Map(sim.customers.map((c) => [c.customerId, c]));
  const typeOf = new Map(sim.appliances.map((a) => [`${a.hubId}/${a.applianceId}`, a.type]));
  const events: HistoryEvent[] = [];
  for (const t of sim.tickets) {
    const c = customer.get(t.customerId);
    const base = { region: t.region, applianceType: t.type, language: c?.language ?? '', channel: c?.channel ?? '' };
    events.push({ at: t.openedAt, metric: 'tickets', ...base });
    if (t.needsVisit) events.push({ at: t.openedAt, metric: 'visits', ...base });
  }
  for (const k of sim.contacts) {
    const c = customer.get(k.customerId);
    const base = { region: c?.region ?? '', applianceType: typeOf.get(`${k.hubId}/${k.applianceId}`) ?? '', language: c?.language ?? '', channel: k.channel };
    events.push({ at: k.createdAt, metric: 'contacts', ...base });
    if (k.outcome === 'no-answer') events.push({ at: k.outcomeAt, metric: 'inbound_calls', ...base });
  }
  const fleet = new Map<string, FleetEntry>();
  for (const a of sim.appliances) {
    const c = customer.get(a.customerId);
    const key = `${a.createdAt}|${c?.region}|${a.type}`;
    const f = fleet.get(key);
    fleet.set(key, { registeredAt: a.createdAt, region: c?.region ?? '', applianceType: a.type, count: (f?.count ?? 0) + 1 });
  }
  return { events, fleet: [...fleet.values()] };
}

export interface Scenario {
  readonly sim: SimHistory;
  readonly history: History;
  readonly calendar: HolidayCalendar;
  series(key: SeriesKey): BacktestSeries;
}

export function buildScenario(seed = 26, appliancesPerRegion = 60_000): Scenario {
  const calendar = chinaCalendar();
  const holidays = new Set(calendar.holidays.map((h) => h.date));
  const sim = generateHistory({ start: SCENARIO_START, days: SCENARIO_DAYS, seed, events: [HEAT_WAVE, COLD_SNAP], holidays, appliancesPerRegion, utcOffsetHours: 8 });
  const { events, fleet } = eventsOf(sim);
  const history = new History(events, fleet, sim.dates, new LocalClock('Asia/Shanghai'));
  const days = sim.dates.map((d) => dayKind(calendar, d));
  const tempOf = (region: string, field: 'tempC' | 'withoutEventC') => {
    const byDate = new Map(sim.weather.filter((w) => w.region === region).map((w) => [w.date, w[field]]));
    return sim.dates.map((d) => byDate.get(d) ?? Number.NaN);
  };
  return {
    sim,
    history,
    calendar,
    series(key) {
      const { daily } = history.counts(key);
      const region = key.region;
      return {
        key,
        dates: sim.dates,
        daily,
        exposure: history.exposure(key),
        // A series over all regions is forecast without weather here: one temperature cannot stand for four climates.
        temperature: region === undefined ? undefined : tempOf(region, 'tempC'),
        temperatureWithoutEvent: region === undefined ? undefined : tempOf(region, 'withoutEventC'),
        where: region === undefined ? undefined : `region ${region}`,
        days,
      };
    },
  };
}

/** Ground truth: the extra tickets of one type in one region that an event's weather caused, over the event's days. */
export function trueExtra(sim: SimHistory, event: WeatherEvent, type: string): number {
  return sim.expected
    .filter((e) => e.region === event.region && e.type === type && e.day >= event.firstDay && e.day < event.firstDay + event.days)
    .reduce((s, e) => s + e.expected - e.expectedWithoutEvent, 0);
}
