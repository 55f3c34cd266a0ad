import { AccuracySums, type Accuracy } from './accuracy.js';
import type { DayKind } from './calendar.js';
import { forecastSeries, DEFAULT_FORECAST_OPTIONS, type ForecastOptions } from './forecaster.js';
import { seasonalNaive, scaleBand, type ModelName } from './models.js';
import type { SeriesKey } from './series.js';

/**
 * Rolling-origin backtest of the whole forecaster (model choice included) against seasonal
 * naive in the same run: at each origin the forecaster sees only the days before it and the
 * weather forecast for the days after (the observed weather: a perfect weather forecast).
 */

export interface BacktestSeries {
  readonly key: SeriesKey;
  readonly dates: readonly string[];
  readonly daily: readonly number[];
  readonly exposure?: readonly number[] | undefined;
  /** Observed daily mean temperature per date; absent = backtest without weather. */
  readonly temperature?: readonly number[] | undefined;
  /** The temperature without the heat wave / cold snap (ground truth), for measuring the weather's extra. */
  readonly temperatureWithoutEvent?: readonly number[] | undefined;
  readonly where?: string | undefined;
  readonly days: readonly DayKind[];
}

export interface BacktestResult {
  readonly key: SeriesKey;
  readonly origins: number;
  readonly model: Accuracy;
  readonly baseline: Accuracy;
  /** model sMAPE / baseline sMAPE: below 0.8 is "20 % lower". */
  readonly smapeRatio: number;
  /** How often each model was chosen. */
  readonly chosen: Readonly<Partial<Record<ModelName, number>>>;
}

/** Origins every `step` days from `first` while a whole horizon of actuals follows. */
export function weeklyOrigins(length: number, first: number, horizon = DEFAULT_FORECAST_OPTIONS.horizonDays, step = 7): number[] {
  const out: number[] = [];
  for (let o = first; o + horizon <= length; o += step) out.push(o);
  return out;
}

/** The forecaster's input at one origin: history before it, weather (and the weather without events) after it. */
export function inputAt(s: BacktestSeries, origin: number, horizon: number) {
  const t = s.temperature;
  return {
    key: s.key,
    dates: s.dates.slice(0, origin),
    daily: s.daily.slice(0, origin),
    exposure: s.exposure?.slice(0, origin),
    futureDates: s.dates.slice(origin, origin + horizon),
    temperature: t === undefined ? undefined : {
      history: t.slice(0, origin),
      future: t.slice(origin, origin + horizon),
      usual: s.temperatureWithoutEvent?.slice(origin, origin + horizon),
      where: s.where ?? 'the region',
    },
    days: { history: s.days.slice(0, origin), future: s.days.slice(origin, origin + horizon) },
  };
}

export function backtest(s: BacktestSeries, origins: readonly number[], options: ForecastOptions = DEFAULT_FORECAST_OPTIONS): BacktestResult {
  const h = options.horizonDays;
  const model = new AccuracySums();
  const baseline = new AccuracySums();
  const chosen: Partial<Record<ModelName, number>> = {};
  for (const origin of origins) {
    const f = forecastSeries(inputAt(s, origin, h), options);
    chosen[f.model] = (chosen[f.model] ?? 0) + 1;
    const actual = s.daily.slice(origin, origin + h);
    model.addAll(actual, {
      mean: f.daily.map((p) => p.mean), lo80: f.daily.map((p) => p.lo80), hi80: f.daily.map((p) => p.hi80), lo95: f.daily.map((p) => p.lo95), hi95: f.daily.map((p) => p.hi95),
    });
    // The baseline's own bands (its forecast alone, as a planner without forecare would have it).
    baseline.addAll(actual, scaleBand(seasonalNaive(s.daily.slice(0, origin), h), 1));
  }
  const m = model.result();
  const b = baseline.result();
  return { key: s.key, origins: origins.length, model: m, baseline: b, smapeRatio: b.smape === 0 ? 1 : Math.round((1000 * m.smape) / b.smape) / 1000, chosen };
}
