import type { DayKind } from './calendar.js';
import { weekdayOf } from './local-time.js';
import { Z80, Z95, type BandPoint } from './models.js';

/**
 * The hourly forecast is the daily one spread over the day by the intraday profile of the
 * last eight weeks (as workforce-management tools do: daily volume × intraday curve), per kind
 * of day — working day, Saturday, Sunday or holiday. An hour's spread adds the daily model's
 * uncertainty (scaled by the hour's share) to that of splitting a day's count over its hours
 * (binomial: share·(1 − share)·daily mean). Its baseline is seasonal naive at one week (168 h).
 */

export interface HourlyPoint extends BandPoint {
  readonly date: string;
  readonly hour: number;
}

interface DailyBand {
  readonly date: string;
  readonly mean: number;
  readonly lo80: number;
  readonly hi80: number;
}

type KindOfDay = 'workday' | 'saturday' | 'restday';

function kindOf(date: string, day: DayKind | undefined): KindOfDay {
  if (day?.holiday !== undefined) return 'restday';
  const wd = weekdayOf(date);
  if (day?.workday === true || (wd >= 1 && wd <= 5)) return 'workday';
  return wd === 6 ? 'saturday' : 'restday';
}

/** Weeks of history the intraday profile is learnt from. */
export const PROFILE_WEEKS = 8;

/** Share of a day's volume in each hour, per kind of day, smoothed towards flat so an hour never seen is not certain to stay empty. */
export function intradayProfile(hourly: readonly number[], dates: readonly string[], days: readonly DayKind[]): Record<KindOfDay, number[]> {
  const sums: Record<KindOfDay, number[]> = { workday: new Array<number>(24).fill(0), saturday: new Array<number>(24).fill(0), restday: new Array<number>(24).fill(0) };
  const from = Math.max(0, dates.length - PROFILE_WEEKS * 7);
  for (let d = from; d < dates.length; d++) {
    const k = kindOf(dates[d] ?? '', days[d]);
    for (let h = 0; h < 24; h++) sums[k][h] = (sums[k][h] ?? 0) + (hourly[d * 24 + h] ?? 0);
  }
  const all = new Array<number>(24).fill(0).map((_, h) => sums.workday[h]! + sums.saturday[h]! + sums.restday[h]!);
  const shares = (xs: number[]): number[] => {
    // Few days of a kind (holidays): lean on the profile of all days rather than on a handful of counts.
    const total = xs.reduce((s, x) => s + x, 0);
    const allTotal = all.reduce((s, x) => s + x, 0);
    const prior = allTotal > 0 ? all.map((x) => x / allTotal) : new Array<number>(24).fill(1 / 24);
    const weight = 24; // pseudo-counts of the prior
    return xs.map((x, h) => (x + weight * (prior[h] ?? 0)) / (total + weight));
  };
  return { workday: shares(sums.workday), saturday: shares(sums.saturday), restday: shares(sums.restday) };
}

export function hourlyForecast(daily: readonly DailyBand[], hourly: readonly number[], dates: readonly string[], days: readonly DayKind[], futureDays: readonly DayKind[]): HourlyPoint[] {
  if (dates.length < 7 || hourly.length < dates.length * 24) return [];
  const profile = intradayProfile(hourly, dates, days);
  const lastWeek = hourly.slice(hourly.length - 168);
  const out: HourlyPoint[] = [];
  daily.forEach((day, i) => {
    const shares = profile[kindOf(day.date, futureDays[i])];
    const sdDay = Math.max(0, (day.hi80 - day.lo80) / (2 * Z80));
    for (let h = 0; h < 24; h++) {
      const s = shares[h] ?? 0;
      const m = s * day.mean;
      const sd = Math.sqrt(s * s * sdDay * sdDay + s * (1 - s) * day.mean);
      const r = (x: number) => Math.round(Math.max(0, x) * 100) / 100;
      out.push({ date: day.date, hour: h, mean: r(m), lo80: r(m - Z80 * sd), hi80: r(m + Z80 * sd), lo95: r(m - Z95 * sd), hi95: r(m + Z95 * sd), baseline: r(lastWeek[((i * 24 + h) % 168)] ?? 0) });
    }
  });
  return out;
}
