import { APPLIANCE_TYPES, applianceCatalog, type ApplianceType, type FaultSpec } from '@forecare/firmware-contracts';
import { Random } from './random.js';
import { DEFAULT_CLIMATES, FAULT_CLIMATE, faultRate, poisson, simulateWeather, type DailyWeather, type RegionClimate, type WeatherEvent } from './seasons.js';

/**
 * Months of forecare history in seconds: customers, appliances, tickets and contact tasks
 * with their outcomes, written directly as rows (not through MQTT), from the seasons and
 * weather of ./seasons.ts. What the gateway keeps, so a forecaster can be tested on a year.
 */

export interface HistoryOptions {
  /** First local day, YYYY-MM-DD. */
  readonly start: string;
  readonly days: number;
  readonly seed?: number;
  readonly climates?: readonly RegionClimate[];
  readonly events?: readonly WeatherEvent[];
  /** Appliances per region on the first day (split over the types by TYPE_SHARE). */
  readonly appliancesPerRegion?: number;
  /** Fleet growth over a year, e.g. 0.1 = 10 % more appliances after 365 days. */
  readonly growthPerYear?: number;
  /** Local public holidays, YYYY-MM-DD (e.g. from the gateway's holiday file). */
  readonly holidays?: ReadonlySet<string>;
  /** Local time = UTC + this many hours (no daylight saving; Asia/Shanghai is 8). */
  readonly utcOffsetHours?: number;
}

export interface SimCustomer { readonly customerId: string; readonly region: string; readonly language: string; readonly channel: string; readonly createdAt: number }
export interface SimApplianceRow { readonly hubId: string; readonly applianceId: string; readonly customerId: string; readonly type: ApplianceType; readonly model: string; readonly createdAt: number }
export interface SimTicket {
  readonly ticketId: string; readonly hubId: string; readonly applianceId: string; readonly customerId: string; readonly region: string;
  readonly type: ApplianceType; readonly faultCode: string; readonly faultClass: string; readonly severity: string; readonly needsVisit: boolean; readonly openedAt: number;
}
export interface SimContact {
  readonly taskId: string; readonly ticketId: string; readonly customerId: string; readonly hubId: string; readonly applianceId: string;
  readonly channel: string; readonly createdAt: number; readonly outcome: 'reached' | 'booked' | 'declined' | 'no-answer'; readonly outcomeAt: number;
}
/** Ground truth per local day, region and type: expected tickets with the weather that happened and without its heat wave / cold snap. */
export interface SimExpected { readonly day: number; readonly region: string; readonly type: ApplianceType; readonly expected: number; readonly expectedWithoutEvent: number }
export interface SimWeatherRow { readonly date: string; readonly region: string; readonly tempC: number; readonly withoutEventC: number }

export interface SimHistory {
  readonly dates: readonly string[];
  readonly regions: readonly string[];
  readonly weather: readonly SimWeatherRow[];
  readonly customers: readonly SimCustomer[];
  readonly appliances: readonly SimApplianceRow[];
  readonly tickets: readonly SimTicket[];
  readonly contacts: readonly SimContact[];
  readonly expected: readonly SimExpected[];
}

/** Share of each type in a region's fleet. */
export const TYPE_SHARE: Readonly<Record<ApplianceType, number>> = {
  refrigerator: 0.24, washer: 0.2, dryer: 0.06, dishwasher: 0.08, air_conditioner: 0.22, water_heater: 0.12, oven: 0.08,
};
const CHANNELS = ['voice', 'sms', 'push'] as const;
const CHANNEL_SHARE = [0.5, 0.3, 0.2];
/** Probability that a contact ends with no answer, by channel, on working days / weekends and holidays. */
const NO_ANSWER: Record<(typeof CHANNELS)[number], [number, number]> = { voice: [0.34, 0.2], sms: [0.25, 0.2], push: [0.38, 0.3] };
const SEVERITY_WEIGHT: Record<string, number> = { info: 2, warning: 1.5, critical: 1, safety: 0.2 };
const QUIET_START = 21;
const QUIET_END = 8;
const DAY = 86_400_000;
const HOUR = 3_600_000;

function weightedPick<T>(random: Random, items: readonly T[], weight: (t: T) => number): T {
  const total = items.reduce((s, t) => s + weight(t), 0);
  let r = random.next() * total;
  for (const t of items) {
    r -= weight(t);
    if (r <= 0) return t;
  }
  const last = items[items.length - 1];
  if (last === undefined) throw new Error('pick from an empty list');
  return last;
}

export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Builds the history; the same options and seed give the same rows. */
export function generateHistory(options: HistoryOptions): SimHistory {
  const random = new Random(options.seed ?? 1);
  const offset = (options.utcOffsetHours ?? 8) * HOUR;
  const startUtcMidnight = Date.parse(`${options.start}T00:00:00Z`);
  if (Number.isNaN(startUtcMidnight)) throw new Error(`start ${options.start} is not YYYY-MM-DD`);
  const dayStart = (d: number): number => startUtcMidnight + d * DAY - offset; // epoch ms of local midnight
  const climates = options.climates ?? DEFAULT_CLIMATES;
  const holidays = options.holidays ?? new Set<string>();
  const perRegion = options.appliancesPerRegion ?? 40_000;
  const growth = options.growthPerYear ?? 0.1;
  const dates = Array.from({ length: options.days }, (_, d) => isoDate(startUtcMidnight + d * DAY));

  const customers: SimCustomer[] = [];
  const appliances: SimApplianceRow[] = [];
  // Per region and type: appliances in order of registration, so "those registered by day d" is a prefix.
  const fleet = new Map<string, SimApplianceRow[]>();
  const customerOf = new Map<string, SimCustomer>();
  const fleetRandom = random.fork('fleet');
  for (const c of climates) {
    const total = Math.round(perRegion * (1 + (growth * options.days) / 365));
    let hub = 0;
    for (let i = 0; i < total; hub++) {
      const createdAt = i < perRegion ? dayStart(0) - Math.floor(fleetRandom.next() * 700) * DAY : dayStart(Math.floor(((i - perRegion) / (total - perRegion)) * options.days));
      const customer: SimCustomer = {
        customerId: `c-${c.region}-${hub}`, region: c.region, language: fleetRandom.chance(0.86) ? 'zh' : 'en',
        channel: weightedPick(fleetRandom, CHANNELS, (ch) => CHANNEL_SHARE[CHANNELS.indexOf(ch)] ?? 0), createdAt,
      };
      customers.push(customer);
      const count = 1 + Math.floor(fleetRandom.next() * 4);
      for (let k = 0; k < count && i < total; k++, i++) {
        const type = weightedPick(fleetRandom, APPLIANCE_TYPES, (t) => TYPE_SHARE[t]);
        const row: SimApplianceRow = { hubId: `h-${c.region}-${hub}`, applianceId: `${type}-${k + 1}`, customerId: customer.customerId, type, model: `${type.toUpperCase().slice(0, 3)}-${1 + Math.floor(fleetRandom.next() * 3)}00`, createdAt };
        appliances.push(row);
        customerOf.set(`${row.hubId}/${row.applianceId}`, customer);
        const key = `${c.region}|${type}`;
        const list = fleet.get(key) ?? [];
        list.push(row);
        fleet.set(key, list);
      }
    }
  }
  for (const list of fleet.values()) list.sort((a, b) => a.createdAt - b.createdAt);

  const weather: SimWeatherRow[] = [];
  const tickets: SimTicket[] = [];
  const contacts: SimContact[] = [];
  const expected: SimExpected[] = [];
  const eventRandom = random.fork('events');
  for (const c of climates) {
    const days: DailyWeather[] = simulateWeather(c, new Date(startUtcMidnight), options.days, options.events ?? [], random.fork(`weather-${c.region}`));
    days.forEach((w, d) => weather.push({ date: dates[d] ?? '', region: c.region, tempC: Math.round(w.actualC * 10) / 10, withoutEventC: Math.round(w.withoutEventC * 10) / 10 }));
    const registered = new Map<ApplianceType, number>();
    for (let d = 0; d < options.days; d++) {
      const w = days[d];
      const date = dates[d];
      if (w === undefined || date === undefined) continue;
      const weekday = new Date(startUtcMidnight + d * DAY).getUTCDay();
      const weekend = weekday === 0 || weekday === 6;
      const holiday = holidays.has(date);
      for (const type of APPLIANCE_TYPES) {
        const list = fleet.get(`${c.region}|${type}`) ?? [];
        const end = dayStart(d + 1);
        let n = registered.get(type) ?? 0;
        while (n < list.length && (list[n]?.createdAt ?? Infinity) < end) n++;
        registered.set(type, n);
        const lambda = (faultRate(type, w.actualC, weekend, holiday) * n) / 1000;
        const lambdaWithout = (faultRate(type, w.withoutEventC, weekend, holiday) * n) / 1000;
        expected.push({ day: d, region: c.region, type, expected: lambda, expectedWithoutEvent: lambdaWithout });
        const count = poisson(eventRandom, lambda);
        for (let j = 0; j < count; j++) {
          const appliance = list[Math.floor(eventRandom.next() * n)];
          if (appliance === undefined) continue;
          const hour = weightedPick(eventRandom, Array.from({ length: 24 }, (_, h) => h), (h) => FAULT_CLIMATE[type].hourly[h] ?? 1);
          const openedAt = dayStart(d) + hour * HOUR + Math.floor(eventRandom.next() * HOUR);
          const fault: FaultSpec = weightedPick(eventRandom, applianceCatalog[type].faults, (f) => SEVERITY_WEIGHT[f.severity] ?? 1);
          const customer = customerOf.get(`${appliance.hubId}/${appliance.applianceId}`);
          if (customer === undefined) continue;
          const ticket: SimTicket = {
            ticketId: `T-sim-${String(tickets.length + 1).padStart(7, '0')}`, hubId: appliance.hubId, applianceId: appliance.applianceId, customerId: customer.customerId, region: c.region,
            type, faultCode: fault.code, faultClass: fault.faultClass, severity: fault.severity, needsVisit: fault.needsVisit, openedAt,
          };
          tickets.push(ticket);
          contactsFor(ticket, customer.channel, fault.severity === 'safety', weekend || holiday, offset, eventRandom, contacts);
        }
      }
    }
  }
  tickets.sort((a, b) => a.openedAt - b.openedAt);
  contacts.sort((a, b) => a.createdAt - b.createdAt);
  return { dates, regions: climates.map((c) => c.region), weather, customers, appliances, tickets, contacts, expected };
}

/** The first contact (at once, or after quiet hours unless it is about safety) and the follow-ups a no-answer brings, as the gateway's policy does. */
function contactsFor(ticket: SimTicket, preferred: string, urgent: boolean, restDay: boolean, offset: number, random: Random, out: SimContact[]): void {
  let channel = preferred;
  let at = ticket.openedAt + 2 * 60_000;
  for (let attempt = 0; attempt < 3; attempt++) {
    const localHour = Math.floor(((at + offset) % DAY) / HOUR);
    if (!urgent && (localHour >= QUIET_START || localHour < QUIET_END)) {
      const localMidnight = at - ((at + offset) % DAY);
      at = (localHour >= QUIET_START ? localMidnight + DAY : localMidnight) + QUIET_END * HOUR + Math.floor(random.next() * HOUR);
    }
    const probs = NO_ANSWER[channel as (typeof CHANNELS)[number]] ?? NO_ANSWER.voice;
    const noAnswer = random.chance(restDay ? probs[1] : probs[0]);
    const outcome = noAnswer ? 'no-answer' : weightedPick(random, ['reached', 'booked', 'declined'] as const, (o) => (o === 'booked' ? 5 : o === 'reached' ? 3 : 1));
    const outcomeAt = at + (channel === 'voice' ? 5 + random.next() * 25 : 60 + random.next() * 120) * 60_000;
    out.push({ taskId: `K-sim-${String(out.length + 1).padStart(7, '0')}`, ticketId: ticket.ticketId, customerId: ticket.customerId, hubId: ticket.hubId, applianceId: ticket.applianceId, channel, createdAt: at, outcome, outcomeAt: Math.round(outcomeAt) });
    if (!noAnswer) return;
    channel = CHANNELS[(CHANNELS.indexOf(channel as (typeof CHANNELS)[number]) + 1) % CHANNELS.length] ?? 'sms';
    at = Math.round(outcomeAt) + 2 * HOUR;
  }
}
