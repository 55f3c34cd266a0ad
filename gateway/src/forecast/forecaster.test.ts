import { describe, expect, it } from 'vitest';
import type { DayKind } from './calendar.js';
import { DEFAULT_FORECAST_OPTIONS, forecastSeries, type SeriesInput } from './forecaster.js';
import { addDays, dateRange } from './local-time.js';
import { ModelError, seasonalNaive } from './models.js';

const ordinary: DayKind = { holiday: undefined, workday: false, covered: true };

function input(daily: number[], extra: Partial<SeriesInput> = {}): SeriesInput {
  const dates = dateRange('2026-01-01', addDays('2026-01-01', daily.length - 1));
  const futureDates = dateRange(addDays('2026-01-01', daily.length), addDays('2026-01-01', daily.length + 13));
  return { key: { metric: 'tickets' }, dates, daily, futureDates, days: { history: dates.map(() => ordinary), future: futureDates.map(() => ordinary) }, ...extra };
}

/** A seeded count series: weekly pattern plus noise. */
function counts(days: number, seed = 7): number[] {
  let s = seed;
  const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647);
  return Array.from({ length: days }, (_, i) => Math.max(0, Math.round([30, 26, 25, 25, 27, 34, 36][i % 7]! + (rnd() - 0.5) * 12)));
}

describe('forecaster', () => {
  it('falls back to seasonal naive, and says so, when no model beats it on recent history', () => {
    // Exactly the same week again and again: seasonal naive is perfect, nothing can be better.
    const week = [10, 20, 30, 40, 50, 60, 70];
    const f = forecastSeries(input(Array.from({ length: 120 }, (_, i) => week[i % 7]!)));
    expect(f.model).toBe('seasonal_naive');
    expect(f.fellBack).toBe(true);
    expect(f.note).toMatch(/^seasonal naive: the best model \(\w+, sMAPE [\d.]+ %\) was not better than seasonal naive \(0 %\)/);
    expect(f.daily.map((p) => p.mean)).toEqual(Array.from({ length: 14 }, (_, h) => week[(120 + h) % 7]));
    expect(f.daily.every((p) => p.mean === p.baseline)).toBe(true);
  });

  it('chooses a model by backtest and always carries the baseline beside it', () => {
    const f = forecastSeries(input(counts(200)));
    expect(f.candidates.map((c) => c.model)).toEqual(['seasonal_naive', 'sarima', 'ets']);
    expect(f.candidates.every((c) => c.accuracy !== undefined && c.accuracy.n === 56)).toBe(true);
    expect(f.daily).toHaveLength(14);
    for (const p of f.daily) {
      expect(p.lo95).toBeLessThanOrEqual(p.lo80);
      expect(p.lo80).toBeLessThanOrEqual(p.mean);
      expect(p.mean).toBeLessThanOrEqual(p.hi80);
      expect(p.hi80).toBeLessThanOrEqual(p.hi95);
      expect(p.lo95).toBeGreaterThanOrEqual(0);
    }
    expect(f.withWeather).toBe(false);
    expect(f.weatherNote).toBe('without weather: no weather feed configured');
  });

  it('spreads the day over its hours: the hours add up to the day, bands never below zero', () => {
    const daily = counts(70);
    // Everything happens between 09:00 and 17:00.
    const hourly = daily.flatMap((n) => Array.from({ length: 24 }, (_, h) => (h >= 9 && h < 17 ? n / 8 : 0)));
    const f = forecastSeries(input(daily, { hourly }));
    expect(f.hourly).toHaveLength(14 * 24);
    const day0 = f.hourly.filter((p) => p.date === f.daily[0]?.date);
    expect(day0.reduce((s, p) => s + p.mean, 0)).toBeCloseTo(f.daily[0]?.mean ?? 0, 0);
    expect(day0.find((p) => p.hour === 12)!.mean).toBeGreaterThan(10 * day0.find((p) => p.hour === 3)!.mean);
    expect(f.hourly.every((p) => p.lo95 >= 0 && p.lo80 <= p.mean && p.mean <= p.hi80)).toBe(true);
  });

  it('carries the history it was fitted on: the last maxHistoryDays days, and the hours of the profile weeks', () => {
    const daily = counts(70);
    const hourly = daily.flatMap((n, d) => Array.from({ length: 24 }, (_, h) => (h === d % 24 ? n : 0)));
    const all = input(daily, { hourly });
    const f = forecastSeries(all, { ...DEFAULT_FORECAST_OPTIONS, maxHistoryDays: 60 });
    expect(f.history.daily.map((p) => p.date)).toEqual(all.dates.slice(10));
    expect(f.history.daily.map((p) => p.value)).toEqual(daily.slice(10));
    // Eight weeks of hours, ending the day before the forecast starts.
    expect(f.history.hourly).toHaveLength(56 * 24);
    expect(f.history.hourly[0]).toEqual({ date: all.dates[14], hour: 0, value: 0 }); // day 14 counts at 14:00 only
    expect(f.history.hourly[14]).toEqual({ date: all.dates[14], hour: 14, value: daily[14] });
    const last = f.history.hourly.filter((p) => p.date === all.dates[69]);
    expect(last.reduce((s, p) => s + p.value, 0)).toBe(daily[69]);
    expect(last.find((p) => p.value > 0)?.hour).toBe(69 % 24);
    expect(forecastSeries(input(daily)).history.hourly).toEqual([]);
  });

  it('forecasts short histories with seasonal naive and refuses less than a week', () => {
    const f = forecastSeries(input(counts(20)));
    expect(f.model).toBe('seasonal_naive');
    expect(f.note).toMatch(/too few to choose a model/);
    expect(() => forecastSeries(input([1, 2, 3]))).toThrow(ModelError);
  });

  it('never forecasts a negative count', () => {
    const f = forecastSeries(input(Array.from({ length: 90 }, (_, i) => (i % 11 === 0 ? 3 : 0))));
    expect(f.daily.every((p) => p.mean >= 0 && p.lo80 >= 0 && p.lo95 >= 0)).toBe(true);
  });

  it('seasonal naive repeats the last week and widens by the square root of the seasons ahead', () => {
    const b = seasonalNaive([1, 2, 3, 4, 5, 6, 7, 2, 3, 4, 5, 6, 7, 8], 14);
    expect(b.mean).toEqual([2, 3, 4, 5, 6, 7, 8, 2, 3, 4, 5, 6, 7, 8]);
    const w1 = (b.hi80[0] ?? 0) - (b.lo80[0] ?? 0);
    const w2 = (b.hi80[7] ?? 0) - (b.lo80[7] ?? 0);
    expect(w2 / w1).toBeCloseTo(Math.SQRT2, 6);
  });
});
