import type { Accuracy } from './accuracy.js';
import type { DayKind } from './calendar.js';
import type { HourlyPoint } from './hourly.js';
import type { BandPoint, ModelName } from './models.js';
import type { SeriesKey } from './series.js';

/** What a forecast of one series takes and gives (forecaster.ts makes it). */
export interface ForecastOptions {
  readonly horizonDays: number;
  /** Cooling degrees are counted above each of these daily means (°C): a hinge per base, so the fit can bend where the heat starts to hurt. */
  readonly coolingBasesC: readonly number[];
  /** Heating degrees are counted below each of these daily means (°C). */
  readonly heatingBasesC: readonly number[];
  /** Backtest origins (one week apart) the models are chosen on. */
  readonly selectionOrigins: number;
  /** Longest history a model is fitted on. */
  readonly maxHistoryDays: number;
}

export const DEFAULT_FORECAST_OPTIONS: ForecastOptions = { horizonDays: 14, coolingBasesC: [24], heatingBasesC: [10], selectionOrigins: 4, maxHistoryDays: 365 };

export interface SeriesInput {
  readonly key: SeriesKey;
  /** Consecutive local dates of the history, and the counts on them. */
  readonly dates: readonly string[];
  readonly daily: readonly number[];
  /** Counts per local hour, 24 per date (for the hourly forecast). */
  readonly hourly?: readonly number[] | undefined;
  /** Appliances in the series' scope on each date: the model learns faults per 1,000 appliances. */
  readonly exposure?: readonly number[] | undefined;
  readonly futureDates: readonly string[];
  /** Daily mean temperature on every history and future date; absent = forecast without weather. */
  readonly temperature?: {
    readonly history: readonly number[];
    readonly future: readonly number[];
    /** The weather "as usual" the drivers are measured against (default: the mean of the last 14 days). */
    readonly usual?: readonly number[] | undefined;
    /** Where the temperature is from, for the drivers' text ("region East"). */
    readonly where: string;
  } | undefined;
  /** Why there is no weather (feed down, missing days…), shown with the forecast. */
  readonly withoutWeatherReason?: string | undefined;
  readonly days: { readonly history: readonly DayKind[]; readonly future: readonly DayKind[] };
}

export interface DailyPoint extends BandPoint {
  readonly date: string;
}

/** One day (or, with an hour, one local hour) of the history, as counted. */
export interface HistoryPoint {
  readonly date: string;
  readonly hour?: number | undefined;
  readonly value: number;
}

export interface Driver {
  readonly date: string;
  readonly kind: 'weather' | 'holiday';
  /** Change of the day's forecast against the weather as usual / an ordinary day, percent. */
  readonly effectPct: number;
  /** The same as a count. */
  readonly extra: number;
  readonly text: string;
}

export interface CandidateScore {
  readonly model: ModelName;
  readonly accuracy?: Accuracy | undefined;
  readonly error?: string | undefined;
}

export interface SeriesForecast {
  readonly key: SeriesKey;
  readonly label: string;
  readonly model: ModelName;
  readonly baseline: 'seasonal_naive';
  /** True when the chosen model was not better than seasonal naive on recent history. */
  readonly fellBack: boolean;
  readonly note: string;
  readonly withWeather: boolean;
  readonly weatherNote: string | undefined;
  readonly candidates: readonly CandidateScore[];
  readonly daily: readonly DailyPoint[];
  readonly hourly: readonly HourlyPoint[];
  readonly drivers: readonly Driver[];
  /** What the weather adds over the horizon against the weather as usual (counts); 0 without weather. */
  readonly weatherExtra: number;
  /**
   * The counts the forecast was learnt from, so a chart can show it beside what happened: the
   * days the daily models were fitted on, and the hours the intraday profile was learnt from.
   */
  readonly history: { readonly daily: readonly HistoryPoint[]; readonly hourly: readonly HistoryPoint[] };
}
