import type { Band } from './models.js';

/** Forecast accuracy as contact-center planners read it: MAPE, sMAPE (percent) and interval coverage (share of actuals inside). */
export interface Accuracy {
  /** Mean absolute percentage error over days with a non-zero actual; undefined when every actual was 0. */
  readonly mape: number | undefined;
  /** Symmetric MAPE, 0–200 %; a day where forecast and actual are both 0 counts as exact. */
  readonly smape: number;
  readonly coverage80: number;
  readonly coverage95: number;
  /** Forecast-actual pairs scored. */
  readonly n: number;
}

/** Running sums, so accuracy over many origins is one number, not an average of averages. */
export class AccuracySums {
  private ape = 0;
  private apeN = 0;
  private sape = 0;
  private in80 = 0;
  private in95 = 0;
  private n = 0;

  add(actual: number, band: Band, i: number): void {
    const f = band.mean[i] ?? 0;
    const diff = Math.abs(actual - f);
    if (actual !== 0) {
      this.ape += diff / Math.abs(actual);
      this.apeN++;
    }
    const denom = Math.abs(actual) + Math.abs(f);
    this.sape += denom === 0 ? 0 : (2 * diff) / denom;
    if (actual >= (band.lo80[i] ?? Infinity) && actual <= (band.hi80[i] ?? -Infinity)) this.in80++;
    if (actual >= (band.lo95[i] ?? Infinity) && actual <= (band.hi95[i] ?? -Infinity)) this.in95++;
    this.n++;
  }

  addAll(actuals: readonly number[], band: Band): void {
    actuals.forEach((a, i) => this.add(a, band, i));
  }

  result(): Accuracy {
    const pct = (x: number, n: number) => (n === 0 ? 0 : Math.round((1000 * 100 * x) / n) / 1000);
    return {
      mape: this.apeN === 0 ? undefined : pct(this.ape, this.apeN),
      smape: pct(this.sape, this.n),
      coverage80: this.n === 0 ? 0 : Math.round((1000 * this.in80) / this.n) / 1000,
      coverage95: this.n === 0 ? 0 : Math.round((1000 * this.in95) / this.n) / 1000,
      n: this.n,
    };
  }
}
