import { Worker } from 'node:worker_threads';
import type { Clock } from '../clock.js';
import { dayKind, type HolidayCalendar } from '../forecast/calendar.js';
import type { ForecastOptions, SeriesForecast, SeriesInput } from '../forecast/forecaster.js';
import { addDays, dateRange, LocalClock } from '../forecast/local-time.js';
import { History, seriesLabel, type Dimension, type Metric, type SeriesKey } from '../forecast/series.js';
import { withoutConditions } from '../engine/engine-host.js';
import { missingDays, type WeatherProblem } from '../forecast/weather.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import type { ForecastHistoryStore } from './history-store.js';
import type { WeatherFeed, WeatherReading } from './weather-feed.js';

/**
 * Tomorrow's workload: reads the history from the store, the weather from its feed and the
 * holidays from the calendar, cuts the series asked for and has the forecaster run on a
 * thread of its own. Answers are kept for a while: the history moves slowly, the models do not
 * need refitting on every page view.
 */

export interface WorkloadOptions {
  readonly timeZone: string;
  readonly calendar: HolidayCalendar | undefined;
  readonly historyDays: number;
  readonly forecast: ForecastOptions;
  /** How long an answer is reused. */
  readonly cacheMs: number;
}

export type Grouping = 'total' | Dimension;

export interface ForecastQuery {
  readonly metric: Metric;
  readonly by: Grouping;
  readonly region?: string | undefined;
  readonly applianceType?: string | undefined;
  readonly language?: string | undefined;
  readonly channel?: string | undefined;
}

export interface ForecastReport {
  readonly generatedAt: string;
  readonly timeZone: string;
  readonly historyFrom: string;
  readonly historyTo: string;
  readonly horizonDays: number;
  readonly weather: { readonly status: WeatherReading['status']; readonly source: string; readonly error: string | undefined; readonly problems: readonly WeatherProblem[] };
  readonly holidays: { readonly country: string | undefined; readonly note: string | undefined };
  readonly series: readonly SeriesForecast[];
  /** Series that could not be forecast, with the reason. */
  readonly skipped: readonly { readonly label: string; readonly reason: string }[];
}

/** Most series one answer holds (a "by" over a dimension with many values keeps the busiest). */
export const MAX_SERIES = 24;
/** Fewest days of weather history the weather model learns from. */
const MIN_WEATHER_DAYS = 56;

export class WorkloadForecaster {
  private readonly clock: LocalClock;
  private readonly cache = new Map<string, { at: number; report: Promise<ForecastReport> }>();
  /** One job at a time: the machine has few cores and the broker needs one. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly history: ForecastHistoryStore,
    private readonly feed: WeatherFeed,
    private readonly now: Clock,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
    readonly options: WorkloadOptions,
  ) {
    this.clock = new LocalClock(options.timeZone);
  }

  /** The series a query asks for. */
  keys(q: ForecastQuery, history: History): SeriesKey[] {
    const base: SeriesKey = { metric: q.metric, region: q.region, applianceType: q.applianceType, language: q.language, channel: q.channel };
    if (q.by === 'total') return [base];
    const by = q.by;
    return history.values(by, q.metric).slice(0, MAX_SERIES).map((v) => ({ ...base, [by]: v }));
  }

  forecast(q: ForecastQuery): Promise<ForecastReport> {
    return this.cached(JSON.stringify(q), (history) => this.keys(q, history));
  }

  /** Forecasts of explicit series (the workforce-management export asks for queue by queue). */
  forecastKeys(cacheKey: string, keys: (history: History) => SeriesKey[]): Promise<ForecastReport> {
    return this.cached(cacheKey, keys);
  }

  private cached(key: string, keys: (history: History) => SeriesKey[]): Promise<ForecastReport> {
    const now = this.now.now();
    const hit = this.cache.get(key);
    if (hit !== undefined && now - hit.at < this.options.cacheMs) return hit.report;
    const report = this.run(keys);
    report.catch(() => this.cache.delete(key));
    if (this.cache.size > 64) this.cache.clear();
    this.cache.set(key, { at: now, report });
    return report;
  }

  private async run(keysOf: (history: History) => SeriesKey[]): Promise<ForecastReport> {
    const now = this.now.now();
    const today = this.clock.local(now).date;
    const first = addDays(today, -this.options.historyDays);
    const dates = dateRange(first, addDays(today, -1));
    const futureDates = dateRange(today, addDays(today, this.options.forecast.horizonDays - 1));
    const { events, fleet } = this.history.read(this.clock.startOf(first));
    const history = new History(events, fleet, dates, this.clock);
    const regions = new Set(this.history.regions());
    const weather = await this.feed.read(regions);
    const skipped: { label: string; reason: string }[] = [];
    const inputs: SeriesInput[] = [];
    for (const key of keysOf(history)) {
      const input = this.input(key, history, futureDates, weather);
      // Nothing ever happened in this series: a forecast of zeros would only pretend to know.
      if (input.daily.every((n) => n === 0)) skipped.push({ label: seriesLabel(key), reason: `nothing in the history ${first}…${dates[dates.length - 1] ?? first}` });
      else inputs.push(input);
    }
    const results = inputs.length === 0 ? [] : await this.compute(inputs);
    const series: SeriesForecast[] = [];
    results.forEach((r, i) => {
      if (r.forecast !== undefined) series.push(r.forecast);
      else skipped.push({ label: inputs[i] === undefined ? '' : seriesLabel(inputs[i].key), reason: r.error ?? 'unknown' });
    });
    this.metrics.forecastRuns.inc({ weather: weather.status });
    this.logger.info({ series: series.length, skipped: skipped.length, weather: weather.status, weatherError: weather.error }, 'workload forecast computed');
    const cal = this.options.calendar;
    const uncovered = cal === undefined ? [] : [...new Set(futureDates.concat(dates.slice(-28)).filter((d) => !dayKind(cal, d).covered).map((d) => d.slice(0, 4)))];
    return {
      generatedAt: new Date(now).toISOString(),
      timeZone: this.options.timeZone,
      historyFrom: first,
      historyTo: dates[dates.length - 1] ?? first,
      horizonDays: futureDates.length,
      weather: { status: weather.status, source: weather.source, error: weather.error, problems: weather.problems },
      holidays: {
        country: cal?.country,
        note: cal === undefined ? 'no holiday calendar configured: holidays are not known to the forecast' : uncovered.length > 0 ? `the ${cal.country} holiday file does not cover ${uncovered.join(', ')}: no holidays are assumed there` : undefined,
      },
      series,
      skipped,
    };
  }

  /** One series' input: counts, fleet, calendar, and the weather of its region when the feed has every day it needs. */
  private input(key: SeriesKey, history: History, futureDates: readonly string[], weather: WeatherReading): SeriesInput {
    const { daily, hourly } = history.counts(key);
    const cal = this.options.calendar;
    let dates = history.dates;
    let from = 0;
    let temperature: SeriesInput['temperature'];
    let reason: string | undefined;
    if (weather.table === undefined) reason = weather.status === 'off' ? 'no weather feed configured' : `weather feed down: ${weather.error ?? 'no data'}`;
    else if (key.region === undefined) reason = 'the series spans several regions; forecast by region to see the weather';
    else {
      const temps = weather.table.temps.get(key.region);
      const gap = missingDays(weather.table, key.region, futureDates);
      // The weather model learns from the longest run of days that all have a temperature.
      let start = dates.length;
      while (start > 0 && temps?.get(dates[start - 1] ?? '') !== undefined) start--;
      if (gap !== undefined) reason = `weather forecast incomplete: ${gap.reason}`;
      else if (dates.length - start < MIN_WEATHER_DAYS) reason = `weather history for ${key.region} covers ${dates.length - start} days before today (${MIN_WEATHER_DAYS} needed)`;
      else if (temps !== undefined) {
        from = start;
        dates = dates.slice(start);
        temperature = { history: dates.map((d) => temps.get(d) ?? Number.NaN), future: futureDates.map((d) => temps.get(d) ?? Number.NaN), where: `region ${key.region}` };
      }
    }
    return {
      key,
      dates,
      daily: daily.slice(from),
      hourly: hourly.slice(from * 24),
      exposure: history.exposure(key)?.slice(from),
      futureDates,
      temperature,
      withoutWeatherReason: reason,
      days: { history: dates.map((d) => dayKind(cal, d, key.region)), future: futureDates.map((d) => dayKind(cal, d, key.region)) },
    };
  }

  private compute(inputs: SeriesInput[]): Promise<{ forecast?: SeriesForecast; error?: string }[]> {
    const job = this.queue.then(() => new Promise<{ forecast?: SeriesForecast; error?: string }[]>((resolve, reject) => {
      const worker = new Worker(threadFile(), { workerData: { inputs, options: this.options.forecast }, execArgv: withoutConditions(process.execArgv) });
      let answered = false;
      worker.once('message', (m: { forecast?: SeriesForecast; error?: string }[]) => {
        answered = true;
        resolve(m);
      });
      worker.once('error', reject);
      worker.once('exit', (code) => {
        if (!answered) reject(new Error(`forecast thread exited with code ${code} before answering`));
      });
    }));
    this.queue = job.catch(() => undefined);
    return job;
  }
}

function threadFile(): URL {
  const here = new URL(import.meta.url);
  return here.pathname.endsWith('.ts') ? new URL('../../dist/workload/forecast-thread.js', here) : new URL('./forecast-thread.js', here);
}
