import type { ApplianceType } from '@forecare/firmware-contracts';
import type { Random } from './random.js';

/**
 * Seasons and weather of the simulated fleet, and how outdoor temperature moves the fault
 * rate of each appliance type. The numbers are the simulator's physics, documented in
 * device-sim/README.md ("Seasons and weather"); a forecaster is judged on how well it
 * recovers them from the history, never told them.
 */

export interface RegionClimate {
  readonly region: string;
  /** Yearly mean of the daily mean temperature, °C. */
  readonly meanC: number;
  /** Half the difference between the warmest and the coldest day of a normal year, °C. */
  readonly amplitudeC: number;
  /** Day of the year (1–366) of the warmest normal day. */
  readonly peakDay: number;
}

/** Four climates in the spirit of China's north, east, south and west. */
export const DEFAULT_CLIMATES: readonly RegionClimate[] = [
  { region: 'North', meanC: 12, amplitudeC: 16, peakDay: 200 },
  { region: 'East', meanC: 17, amplitudeC: 12, peakDay: 205 },
  { region: 'South', meanC: 22, amplitudeC: 8, peakDay: 205 },
  { region: 'West', meanC: 15, amplitudeC: 11, peakDay: 200 },
];

/** A heat wave (deltaC > 0) or a cold snap (deltaC < 0) in one region over [firstDay, firstDay + days). */
export interface WeatherEvent {
  readonly kind: 'heat_wave' | 'cold_snap';
  readonly region: string;
  /** Index of the first day, counted from the history's start. */
  readonly firstDay: number;
  readonly days: number;
  readonly deltaC: number;
}

/** Day-to-day weather: AR(1) anomalies around the seasonal normal (persistence 0.7, 2.2 °C noise). */
const PERSISTENCE = 0.7;
const NOISE_C = 2.2;

export interface DailyWeather {
  /** What the weather did (normal + anomaly + events). */
  readonly actualC: number;
  /** The seasonal normal without the day's anomaly and events (ground truth for "extra" faults). */
  readonly normalC: number;
  /** Normal + anomaly, without events: what the day would have been without the heat wave or cold snap. */
  readonly withoutEventC: number;
}

function dayOfYear(date: Date): number {
  return Math.floor((date.getTime() - Date.UTC(date.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
}

export function seasonalNormal(climate: RegionClimate, date: Date): number {
  return climate.meanC + climate.amplitudeC * Math.cos((2 * Math.PI * (dayOfYear(date) - climate.peakDay)) / 365.25);
}

/** Daily weather of one region for `days` days from `start` (UTC midnight of the first day). */
export function simulateWeather(climate: RegionClimate, start: Date, days: number, events: readonly WeatherEvent[], random: Random): DailyWeather[] {
  const out: DailyWeather[] = [];
  let anomaly = 0;
  for (let d = 0; d < days; d++) {
    anomaly = PERSISTENCE * anomaly + random.gauss(NOISE_C);
    const normalC = seasonalNormal(climate, new Date(start.getTime() + d * 86_400_000));
    const eventC = events.filter((e) => e.region === climate.region && d >= e.firstDay && d < e.firstDay + e.days).reduce((s, e) => s + e.deltaC, 0);
    out.push({ actualC: normalC + anomaly + eventC, normalC, withoutEventC: normalC + anomaly });
  }
  return out;
}

/**
 * Faults per 1,000 appliances per day at a mild temperature, and the hinge terms that add to it:
 * `hot` per °C of daily mean above `hotFromC`, `cold` per °C below `coldBelowC` (relative to the base).
 */
export interface FaultClimate {
  readonly basePerThousand: number;
  readonly hotFromC: number;
  readonly hot: number;
  readonly coldBelowC: number;
  readonly cold: number;
  /** Multiplier on Saturdays and Sundays (usage-driven appliances break where they are used). */
  readonly weekend: number;
  /** Multiplier on public holidays. */
  readonly holiday: number;
  /** Share of the day's faults in each local hour 0–23 (normalized when used). */
  readonly hourly: readonly number[];
}

const FLAT = [2, 1.5, 1, 1, 1, 1.5, 3, 4, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 6, 6, 6, 5, 4, 3];
const AFTERNOON = [1, 1, 1, 1, 1, 1, 1, 2, 3, 4, 5, 6, 8, 9, 10, 10, 9, 8, 7, 6, 5, 4, 3, 2];
const HOUSEWORK = [0.5, 0.3, 0.3, 0.3, 0.3, 0.5, 2, 5, 7, 8, 7, 5, 4, 4, 4, 4, 5, 6, 8, 9, 8, 6, 3, 1];
const MORNING_EVENING = [1, 1, 1, 1, 1, 2, 6, 9, 8, 5, 3, 3, 3, 3, 3, 3, 4, 5, 7, 9, 9, 7, 4, 2];

/** The documented physics (device-sim/README.md, "Seasons and weather"). */
export const FAULT_CLIMATE: Readonly<Record<ApplianceType, FaultClimate>> = {
  refrigerator: { basePerThousand: 0.5, hotFromC: 26, hot: 0.05, coldBelowC: -50, cold: 0, weekend: 1, holiday: 1.1, hourly: FLAT },
  washer: { basePerThousand: 0.7, hotFromC: 60, hot: 0, coldBelowC: -50, cold: 0, weekend: 1.35, holiday: 1.25, hourly: HOUSEWORK },
  dryer: { basePerThousand: 0.5, hotFromC: 60, hot: 0, coldBelowC: 10, cold: 0.03, weekend: 1.3, holiday: 1.2, hourly: HOUSEWORK },
  dishwasher: { basePerThousand: 0.5, hotFromC: 60, hot: 0, coldBelowC: -50, cold: 0, weekend: 1.3, holiday: 1.4, hourly: HOUSEWORK },
  air_conditioner: { basePerThousand: 0.6, hotFromC: 24, hot: 0.14, coldBelowC: 4, cold: 0.05, weekend: 1.1, holiday: 1.1, hourly: AFTERNOON },
  water_heater: { basePerThousand: 0.5, hotFromC: 60, hot: 0, coldBelowC: 8, cold: 0.09, weekend: 1.1, holiday: 1.15, hourly: MORNING_EVENING },
  oven: { basePerThousand: 0.4, hotFromC: 60, hot: 0, coldBelowC: -50, cold: 0, weekend: 1.3, holiday: 1.6, hourly: HOUSEWORK },
};

/** Expected faults per 1,000 appliances of `type` on a day of mean temperature `tempC`. */
export function faultRate(type: ApplianceType, tempC: number, weekend: boolean, holiday: boolean): number {
  const c = FAULT_CLIMATE[type];
  const climate = 1 + c.hot * Math.max(0, tempC - c.hotFromC) + c.cold * Math.max(0, c.coldBelowC - tempC);
  return c.basePerThousand * climate * (weekend ? c.weekend : 1) * (holiday ? c.holiday : 1);
}

/** Poisson draw (Knuth for small means, normal approximation above 60: exact enough for counts of faults). */
export function poisson(random: Random, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 60) return Math.max(0, Math.round(mean + random.gauss(Math.sqrt(mean))));
  const limit = Math.exp(-mean);
  let k = 0;
  let p = random.next();
  while (p > limit) {
    k++;
    p *= random.next();
  }
  return k;
}
