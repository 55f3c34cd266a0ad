import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import ARIMA from 'arima';
import { AutoETS, initSync as initEts } from '@bsull/augurs/ets';

/**
 * The forecasting models: SARIMA/SARIMAX from `arima` (ctsa compiled to WASM) and automatic
 * ETS from `@bsull/augurs` (Rust compiled to WASM). What is written here is only glue: the
 * seasonal-naive baseline, turning a library's variance into bands, and refusing a fit
 * that diverged. Every model answers with the same shape: mean and 80 %/95 % bands.
 */

export const MODEL_NAMES = ['seasonal_naive', 'sarimax', 'sarima', 'ets'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

export interface Band {
  readonly mean: readonly number[];
  readonly lo80: readonly number[];
  readonly hi80: readonly number[];
  readonly lo95: readonly number[];
  readonly hi95: readonly number[];
}

/** One forecast interval as served: the mean, its 80 % and 95 % bands and the seasonal-naive baseline. */
export interface BandPoint {
  readonly mean: number;
  readonly lo80: number;
  readonly hi80: number;
  readonly lo95: number;
  readonly hi95: number;
  /** Seasonal naive, the baseline. */
  readonly baseline: number;
}

export class ModelError extends Error {
  override readonly name = 'ModelError';
}

/** Two-sided normal quantiles of the 80 % and 95 % intervals. */
export const Z80 = 1.2815515655446004;
export const Z95 = 1.959963984540054;

/** The weekly season of daily series. */
export const WEEK = 7;

// augurs' wasm-bindgen module cannot fetch its binary from a file: URL under Node, so it is handed the bytes once.
const require = createRequire(import.meta.url);
initEts({ module: readFileSync(join(dirname(require.resolve('@bsull/augurs/ets')), 'ets_bg.wasm')) });

function gaussianBand(mean: readonly number[], sd: readonly number[]): Band {
  const at = (z: number, sign: number) => mean.map((m, i) => m + sign * z * (sd[i] ?? 0));
  return { mean, lo80: at(Z80, -1), hi80: at(Z80, 1), lo95: at(Z95, -1), hi95: at(Z95, 1) };
}

/** A band is usable when every number is finite and its width is sane for the history it came from. */
function checked(band: Band, history: readonly number[], model: string): Band {
  const scale = Math.max(1, ...history.map(Math.abs));
  for (const series of [band.mean, band.lo95, band.hi95]) {
    for (const v of series) {
      if (!Number.isFinite(v) || Math.abs(v) > 10 * scale) throw new ModelError(`${model} diverged (a forecast of ${v.toPrecision(3)} against a history of at most ${scale.toPrecision(3)})`);
    }
  }
  return band;
}

/**
 * Seasonal naive: each day is the same weekday of the last observed week. Its spread is the
 * RMS of the last eight weeks' week-on-week changes, growing with the square root of the
 * number of seasons ahead (Hyndman & Athanasopoulos, FPP3 §5.5).
 */
export function seasonalNaive(y: readonly number[], horizon: number, season = WEEK): Band {
  if (y.length < season) throw new ModelError(`seasonal naive needs at least ${season} points`);
  const recent = y.slice(-Math.min(y.length, season * 9));
  const diffs = recent.slice(season).map((v, i) => v - (recent[i] ?? v));
  const sigma = diffs.length === 0 ? 0 : Math.sqrt(diffs.reduce((s, d) => s + d * d, 0) / diffs.length);
  const mean: number[] = [];
  const sd: number[] = [];
  for (let h = 1; h <= horizon; h++) {
    mean.push(y[y.length - season + ((h - 1) % season)] ?? 0);
    sd.push(sigma * Math.sqrt(Math.floor((h - 1) / season) + 1));
  }
  return gaussianBand(mean, sd);
}

/** Columns that vary over the training window: a constant column makes the regression singular (ctsa then diverges). */
export function varyingColumns(exog: readonly (readonly number[])[]): number[] {
  const width = exog[0]?.length ?? 0;
  const keep: number[] = [];
  for (let c = 0; c < width; c++) {
    const first = exog[0]?.[c];
    if (exog.some((row) => row[c] !== first)) keep.push(c);
  }
  return keep;
}

/** ctsa fitting methods, tried in order (method 0 exact likelihood, 1 conditional sum of squares; optimizer 5 BFGS, 6 L-BFGS). */
const FITTINGS = [
  { method: 0, optimizer: 5 },
  { method: 1, optimizer: 6 },
  { method: 0, optimizer: 6 },
] as const;

/** The airline model's orders: (0,1,1)(0,1,1)₇. Measured against (1,0,1)(0,1,1)₇ and (1,1,1)(0,1,1)₇ on the backtest scenario: as accurate on calm weeks as ETS, and steadier. */
const ORDER = { p: 0, d: 1, q: 1, P: 0, D: 1, Q: 1 } as const;

/** A model fitted to one history; `predict` may be called again with other regressors (what-if: weather as usual). */
export interface FittedModel {
  readonly name: ModelName;
  /** Regressor columns the fit used (indices into the rows given): weather and calendar effects exist only for these. */
  readonly columns: readonly number[];
  predict(horizon: number, exogFuture?: readonly (readonly number[])[]): Band;
  close(): void;
}

/**
 * SARIMA(0,1,1)(0,1,1)₇ — the "airline" model — with regressors when given (then SARIMAX):
 * the differences carry the level and the weekday pattern, the regressors carry weather and
 * holidays. `errors` from ctsa are forecast variances.
 */
export function fitSarima(name: 'sarimax' | 'sarima', y: readonly number[], exog?: readonly (readonly number[])[]): FittedModel {
  if (y.length < 4 * WEEK) throw new ModelError('SARIMA needs at least four weeks of history');
  const cols = exog === undefined ? [] : varyingColumns(exog);
  const pick = (rows: readonly (readonly number[])[]) => rows.map((r) => cols.map((c) => r[c] ?? 0));
  const label = name === 'sarimax' ? 'SARIMAX' : 'SARIMA';
  // ctsa's fit is fragile: a run of its optimizer can land on an explosive AR root. Each
  // fitting method in turn, until one forecasts something sane for the last days it saw.
  let last = '';
  for (const fitting of FITTINGS) {
    const model = new ARIMA({ ...ORDER, s: WEEK, ...fitting, transpose: true, verbose: false });
    const predict = (horizon: number, exogFuture?: readonly (readonly number[])[]): Band => {
      let out: [number[], number[]];
      if (cols.length > 0) {
        if (exogFuture === undefined || exogFuture.length < horizon) throw new ModelError(`regressors known for ${exogFuture?.length ?? 0} of ${horizon} days ahead`);
        out = model.predict(horizon, pick(exogFuture.slice(0, horizon)));
      } else {
        out = model.predict(horizon);
      }
      const [pred, variance] = out;
      return checked(gaussianBand(pred, variance.map((v) => Math.sqrt(Math.max(0, v)))), y, label);
    };
    try {
      if (cols.length > 0 && exog !== undefined) model.fit([...y], pick(exog));
      else model.fit([...y]);
      predict(2 * WEEK, exog?.slice(-2 * WEEK));
    } catch (err) {
      model.destroy();
      last = err instanceof Error ? err.message : String(err);
      continue;
    }
    return { name, columns: cols, predict, close: () => model.destroy() };
  }
  throw new ModelError(`${label} could not be fitted: ${last}`);
}

/** Automatic ETS (error, trend, season chosen by AICc) with a weekly season; no regressors. */
export function fitEts(y: readonly number[]): FittedModel {
  if (y.length < 3 * WEEK) throw new ModelError('ETS needs at least three weeks of history');
  const model = new AutoETS(WEEK, 'ZZZ');
  try {
    model.fit(Float64Array.from(y));
  } catch (err) {
    model.free();
    throw new ModelError(`ETS failed to fit: ${err instanceof Error ? err.message : String(err)}`);
  }
  return {
    name: 'ets',
    columns: [],
    predict(horizon) {
      const p80 = model.predict(horizon, 0.8);
      const p95 = model.predict(horizon, 0.95);
      if (p80.intervals === undefined || p95.intervals === undefined) throw new ModelError('ETS gave no prediction intervals');
      return checked({ mean: p80.point, lo80: p80.intervals.lower, hi80: p80.intervals.upper, lo95: p95.intervals.lower, hi95: p95.intervals.upper }, y, 'ETS');
    },
    close: () => model.free(),
  };
}

export function fitNaive(y: readonly number[]): FittedModel {
  if (y.length < WEEK) throw new ModelError(`seasonal naive needs at least ${WEEK} days`);
  return { name: 'seasonal_naive', columns: [], predict: (horizon) => seasonalNaive(y, horizon), close: () => undefined };
}

/** Scales a band (rates per 1,000 appliances back to counts) and keeps it at or above zero: counts are never negative. */
export function scaleBand(band: Band, factor: readonly number[] | number): Band {
  const f = (i: number) => (typeof factor === 'number' ? factor : (factor[i] ?? factor[factor.length - 1] ?? 1));
  const s = (xs: readonly number[]) => xs.map((x, i) => Math.max(0, x * f(i)));
  return { mean: s(band.mean), lo80: s(band.lo80), hi80: s(band.hi80), lo95: s(band.lo95), hi95: s(band.hi95) };
}
