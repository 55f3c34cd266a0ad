import { AccuracySums } from './accuracy.js';
import type { DayKind } from './calendar.js';
import { hourlyForecast, PROFILE_WEEKS } from './hourly.js';
import { WEEKDAY_NAMES, weekdayOf } from './local-time.js';
import { fitEts, fitNaive, fitSarima, ModelError, scaleBand, type Band, type FittedModel, type ModelName } from './models.js';
import { seriesLabel } from './series.js';

/**
 * One series' forecast: the candidate models are scored by a rolling-origin backtest on the
 * most recent weeks, the best one forecasts, and seasonal naive is always computed beside it
 * as the baseline. A winner no better than the baseline gives way to it, and the forecast
 * says so. Pure: no clock, no I/O — history, calendar and weather are passed in.
 */

export { DEFAULT_FORECAST_OPTIONS, type CandidateScore, type DailyPoint, type Driver, type ForecastOptions, type HistoryPoint, type SeriesForecast, type SeriesInput } from './series-forecast.js';
import { DEFAULT_FORECAST_OPTIONS, type CandidateScore, type DailyPoint, type Driver, type ForecastOptions, type HistoryPoint, type SeriesForecast, type SeriesInput } from './series-forecast.js';

/** Fewest days a fitted model learns from; with less, only seasonal naive forecasts. */
const MIN_TRAIN_DAYS = 28;
/** Relative sMAPE difference below which candidates count as tied. */
const TIE = 0.05;
/** A day's weather or holiday is named as a driver when it moves the forecast this much. */
const DRIVER_MIN_PCT = 10;

type Row = readonly number[];

/** Regressor row of a day: cooling degrees above each base, heating degrees below each base, holiday, make-up working day. */
function rowOf(temp: number | undefined, day: DayKind | undefined, o: ForecastOptions): Row {
  return [...weatherOf(temp, o), day?.holiday !== undefined ? 1 : 0, day?.workday === true ? 1 : 0];
}

function weatherOf(temp: number | undefined, o: ForecastOptions): number[] {
  if (temp === undefined) return new Array<number>(o.coolingBasesC.length + o.heatingBasesC.length).fill(0);
  return [...o.coolingBasesC.map((b) => Math.max(0, temp - b)), ...o.heatingBasesC.map((b) => Math.max(0, b - temp))];
}

const weatherWidth = (o: ForecastOptions) => o.coolingBasesC.length + o.heatingBasesC.length;

/** The same rows with the weather columns zeroed: what SARIMA (calendar only) sees. */
function calendarOnly(rows: readonly Row[], o: ForecastOptions): Row[] {
  const w = weatherWidth(o);
  return rows.map((r) => r.map((v, c) => (c < w ? 0 : v)));
}

function fit(name: ModelName, y: readonly number[], exog: readonly Row[], o: ForecastOptions): FittedModel {
  switch (name) {
    case 'sarimax':
      return fitSarima('sarimax', y, exog);
    case 'sarima':
      return fitSarima('sarima', y, calendarOnly(exog, o));
    case 'ets':
      return fitEts(y);
    case 'seasonal_naive':
      return fitNaive(y);
  }
}

function predictWith(model: FittedModel, horizon: number, future: readonly Row[], o: ForecastOptions): Band {
  return model.predict(horizon, model.name === 'sarima' ? calendarOnly(future, o) : future);
}

/** Degrees beyond the backtest weeks' range that make their verdict on the weather model moot. */
const UNSEEN_MARGIN_C = 2;

/**
 * Says why the weather ahead is unlike the weeks the models were scored on (a heat wave or a
 * cold snap beyond their range), or undefined when it is not: those weeks cannot show how a
 * model without weather would miss it.
 */
function unseenWeather(temps: SeriesInput['temperature'], scoredDays: number): string | undefined {
  if (temps === undefined || scoredDays <= 0 || temps.future.length === 0) return undefined;
  const seen = temps.history.slice(-scoredDays);
  const hi = Math.max(...seen);
  const lo = Math.min(...seen);
  const hottest = Math.max(...temps.future);
  const coldest = Math.min(...temps.future);
  if (hottest > hi + UNSEEN_MARGIN_C) return `the forecast reaches ${round(hottest, 1)} °C, above the ${round(hi, 1)} °C of the backtest weeks`;
  if (coldest < lo - UNSEEN_MARGIN_C) return `the forecast falls to ${round(coldest, 1)} °C, below the ${round(lo, 1)} °C of the backtest weeks`;
  return undefined;
}

const mean = (xs: readonly number[]) => (xs.length === 0 ? 0 : xs.reduce((s, x) => s + x, 0) / xs.length);
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Forecasts one series. Throws ModelError only when there is too little history for any forecast. */
export function forecastSeries(input: SeriesInput, options: ForecastOptions = DEFAULT_FORECAST_OPTIONS): SeriesForecast {
  const horizon = Math.min(options.horizonDays, input.futureDates.length);
  const keep = Math.min(input.dates.length, options.maxHistoryDays);
  const cut = input.dates.length - keep;
  const actual = input.daily.slice(cut);
  if (actual.length < 7) throw new ModelError(`${seriesLabel(input.key)}: at least 7 days of history are needed, ${actual.length} known`);
  const exposure = input.exposure?.slice(cut);
  const perThousand = exposure !== undefined && exposure.every((e) => e > 0) ? exposure.map((e) => e / 1000) : undefined;
  const y = perThousand === undefined ? actual : actual.map((v, i) => v / (perThousand[i] ?? 1));
  const futureScale = perThousand === undefined ? 1 : (perThousand[perThousand.length - 1] ?? 1);
  const temps = input.temperature;
  const rows = actual.map((_, i) => rowOf(temps?.history[cut + i], input.days.history[cut + i], options));
  const futureRows = input.futureDates.slice(0, horizon).map((_, i) => rowOf(temps?.future[i], input.days.future[i], options));
  const candidates: ModelName[] = temps !== undefined ? ['sarimax', 'sarima', 'ets'] : ['sarima', 'ets'];

  // Rolling origin on the most recent weeks: each origin forecasts the next `horizon` days from what came before it.
  const origins: number[] = [];
  for (let k = 0; k < options.selectionOrigins; k++) {
    const origin = y.length - horizon - 7 * k;
    if (origin >= MIN_TRAIN_DAYS) origins.push(origin);
  }
  const scores = new Map<ModelName, AccuracySums>();
  const errors = new Map<ModelName, string>();
  for (const name of ['seasonal_naive', ...candidates] as ModelName[]) {
    const sums = new AccuracySums();
    for (const origin of origins) {
      let model: FittedModel | undefined;
      try {
        model = fit(name, y.slice(0, origin), rows.slice(0, origin), options);
        const scale = perThousand?.[origin - 1] ?? 1;
        const band = scaleBand(predictWith(model, horizon, rows.slice(origin, origin + horizon), options), scale);
        sums.addAll(actual.slice(origin, origin + horizon), band);
      } catch (err) {
        errors.set(name, err instanceof Error ? err.message : String(err));
        break;
      } finally {
        model?.close();
      }
    }
    if (!errors.has(name) && origins.length > 0) scores.set(name, sums);
  }
  const scored: CandidateScore[] = (['seasonal_naive', ...candidates] as ModelName[]).map((m) => ({ model: m, accuracy: scores.get(m)?.result(), error: errors.get(m) }));
  const naiveScore = scores.get('seasonal_naive')?.result();
  const ranked = scored.filter((c) => c.model !== 'seasonal_naive' && c.accuracy !== undefined).sort((a, b) => (a.accuracy?.smape ?? Infinity) - (b.accuracy?.smape ?? Infinity));
  // A few origins cannot tell apart models within a few percent of each other; of such a tie the
  // model that knows the weather forecast wins, since recent calm weeks say nothing of a coming heat wave.
  const weather = ranked.find((c) => c.model === 'sarimax');
  const top = ranked[0];
  const unseen = unseenWeather(temps, origins.length > 0 ? y.length - (origins[origins.length - 1] ?? 0) : 0);
  const best = weather?.accuracy !== undefined && top?.accuracy !== undefined && (unseen !== undefined || weather.accuracy.smape <= top.accuracy.smape * (1 + TIE)) ? weather : top;

  let chosen: ModelName = 'seasonal_naive';
  let fellBack = false;
  let note: string;
  if (origins.length === 0) {
    note = `seasonal naive: ${actual.length} days of history are too few to choose a model (${MIN_TRAIN_DAYS + horizon} needed)`;
  } else if (best?.accuracy === undefined || naiveScore === undefined) {
    fellBack = true;
    note = `seasonal naive: no model could be fitted (${[...errors.values()][0] ?? 'no candidate'})`;
  } else if (best.accuracy.smape < naiveScore.smape) {
    chosen = best.model;
    note = `${best.model}: sMAPE ${round(best.accuracy.smape, 1)} % against seasonal naive ${round(naiveScore.smape, 1)} % over the last ${origins.length} weekly origins`;
    if (best !== top && top !== undefined) note += unseen !== undefined ? `; chosen over ${top.model} because ${unseen}` : `; tied with ${top.model} within ${TIE * 100} %, and it knows the weather`;
  } else {
    fellBack = true;
    note = `seasonal naive: the best model (${best.model}, sMAPE ${round(best.accuracy.smape, 1)} %) was not better than seasonal naive (${round(naiveScore.smape, 1)} %) over the last ${origins.length} weekly origins`;
  }

  const naive = scaleBand(fitNaive(y).predict(horizon), futureScale);
  let band = naive;
  let drivers: Driver[] = [];
  let weatherExtra = 0;
  let weatherUsed = false;
  if (chosen !== 'seasonal_naive') {
    const model = fit(chosen, y, rows, options);
    try {
      band = scaleBand(predictWith(model, horizon, futureRows, options), futureScale);
      const d = driversOf(input, model, band, futureRows, horizon, futureScale, options);
      drivers = d.drivers;
      // A weather column constant over the history (no hot day yet in spring) is dropped: then the weather did not enter.
      weatherUsed = model.name === 'sarimax' && model.columns.some((c) => c < weatherWidth(options));
      weatherExtra = d.weatherExtra;
    } catch (err) {
      // The final fit diverged though the backtest fits did not: the baseline still answers.
      if (!(err instanceof ModelError)) throw err;
      band = naive;
      chosen = 'seasonal_naive';
      fellBack = true;
      note = `seasonal naive: ${err.message}`;
    } finally {
      model.close();
    }
  }
  const withWeather = weatherUsed && chosen === 'sarimax';
  const weatherNote = temps === undefined
    ? `without weather: ${input.withoutWeatherReason ?? 'no weather feed configured'}`
    : withWeather ? undefined : chosen === 'sarimax' ? 'weather known but not used: no day of the history was beyond the cooling or heating base' : `weather known but not used: ${chosen} forecast better than the weather model on recent history`;
  const daily: DailyPoint[] = input.futureDates.slice(0, horizon).map((date, i) => ({
    date,
    mean: round(band.mean[i] ?? 0),
    lo80: round(band.lo80[i] ?? 0),
    hi80: round(band.hi80[i] ?? 0),
    lo95: round(band.lo95[i] ?? 0),
    hi95: round(band.hi95[i] ?? 0),
    baseline: round(naive.mean[i] ?? 0),
  }));
  const hourly = input.hourly === undefined ? [] : hourlyForecast(daily, input.hourly.slice(cut * 24), input.dates.slice(cut), input.days.history.slice(cut), input.days.future);
  return { key: input.key, label: seriesLabel(input.key), model: chosen, baseline: 'seasonal_naive', fellBack, note, withWeather, weatherNote, candidates: scored, daily, hourly, drivers, weatherExtra: round(weatherExtra, 1), history: historyOf(input, cut) };
}

/** The daily counts from `cut` on, and the hourly counts of the weeks the intraday profile reads (none when the forecast has no hours). */
function historyOf(input: SeriesInput, cut: number): SeriesForecast['history'] {
  const dates = input.dates.slice(cut);
  const daily = dates.map((date, i) => ({ date, value: input.daily[cut + i] ?? 0 }));
  const hours = input.hourly;
  if (hours === undefined || hours.length < input.dates.length * 24) return { daily, hourly: [] };
  const first = Math.max(cut, input.dates.length - PROFILE_WEEKS * 7);
  const hourly: HistoryPoint[] = [];
  for (let d = first; d < input.dates.length; d++) {
    for (let h = 0; h < 24; h++) hourly.push({ date: input.dates[d] ?? '', hour: h, value: hours[d * 24 + h] ?? 0 });
  }
  return { daily, hourly };
}

/** What moved the forecast: each day's weather against the weather as usual, each holiday against an ordinary day. */
function driversOf(input: SeriesInput, model: FittedModel, band: Band, futureRows: readonly Row[], horizon: number, scale: number, o: ForecastOptions): { drivers: Driver[]; weatherExtra: number } {
  const drivers: Driver[] = [];
  const what = seriesLabel({ ...input.key, region: undefined });
  let weatherExtra = 0;
  const temps = input.temperature;
  const w = weatherWidth(o);
  if (model.name === 'sarimax' && temps !== undefined && model.columns.some((c) => c < w)) {
    const recent = mean(temps.history.slice(-14));
    const usual = temps.usual ?? temps.future.map(() => recent);
    const usualRows = futureRows.map((r, i) => [...weatherOf(usual[i], o), ...r.slice(w)]);
    const asUsual = scaleBand(model.predict(horizon, usualRows), scale);
    for (let i = 0; i < horizon; i++) {
      const extra = (band.mean[i] ?? 0) - (asUsual.mean[i] ?? 0);
      weatherExtra += extra;
      const base = asUsual.mean[i] ?? 0;
      const pct = base > 0 ? (100 * extra) / base : 0;
      const date = input.futureDates[i] ?? '';
      const t = temps.future[i] ?? 0;
      const u = usual[i] ?? recent;
      if (Math.abs(pct) < DRIVER_MIN_PCT || Math.abs(extra) < 0.5) continue;
      const kind = t - u >= 5 ? 'heat wave' : t - u <= -5 ? 'cold snap' : t > u ? 'warmer weather' : 'colder weather';
      drivers.push({
        date, kind: 'weather', effectPct: round(pct, 0), extra: round(extra, 1),
        text: `${kind} ${WEEKDAY_NAMES[weekdayOf(date)]} ${date} in ${temps.where}: ${pct > 0 ? '+' : ''}${Math.round(pct)} % ${what} (${round(t, 1)} °C against ${round(u, 1)} °C as usual)`,
      });
    }
  }
  if (model.columns.includes(w) && input.days.future.some((d) => d.holiday !== undefined)) {
    const ordinary = scaleBand(predictWith(model, horizon, futureRows.map((r) => r.map((v, c) => (c === w ? 0 : v))), o), scale);
    input.days.future.slice(0, horizon).forEach((d, i) => {
      if (d.holiday === undefined) return;
      const base = ordinary.mean[i] ?? 0;
      const extra = (band.mean[i] ?? 0) - base;
      const pct = base > 0 ? (100 * extra) / base : 0;
      if (Math.abs(pct) < DRIVER_MIN_PCT) return;
      const date = input.futureDates[i] ?? '';
      drivers.push({ date, kind: 'holiday', effectPct: round(pct, 0), extra: round(extra, 1), text: `${d.holiday} ${WEEKDAY_NAMES[weekdayOf(date)]} ${date}: ${pct > 0 ? '+' : ''}${Math.round(pct)} % ${what}` });
    });
  }
  return { drivers, weatherExtra };
}
