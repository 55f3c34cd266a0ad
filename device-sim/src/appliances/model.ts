import type { ApplianceType } from '@forecare/firmware-contracts';
import type { Random } from '../random.js';

export interface Reading {
  readonly metrics: Record<string, number | boolean>;
  readonly state: Record<string, string | boolean>;
}

/** Behaviour of one appliance: advanced in steps of simulated time, read as catalog metrics. */
export interface ApplianceModel {
  readonly type: ApplianceType;
  /** Advances by `dtMs`; `at` is the simulated wall time (models that follow the time of day use it). */
  step(dtMs: number, at?: number): Reading;
  /** A fault that changes behaviour (the compressor stops, the heater dies…); undefined clears it. */
  setFault(code: string | undefined): void;
  /** A slow failure: the cooling (or heating) loses `perHour` degrees of grip every hour, with no fault code. */
  degrade?(perHour: number): void;
}

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
/** Readings carry two decimals unless told otherwise. */
export const round = (v: number, digits = 2): number => Math.round(v * 10 ** digits) / 10 ** digits;
export const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
/** First-order approach of `v` toward `target` at `rate` per minute. */
export const toward = (v: number, target: number, ratePerMin: number, minutes: number): number => v + (target - v) * Math.min(1, ratePerMin * minutes);

/** What every behaviour model shares: its random source and the fault it is set to. */
export abstract class BaseModel implements ApplianceModel {
  abstract readonly type: ApplianceType;
  protected fault: string | undefined;

  constructor(protected readonly rnd: Random) {}

  setFault(code: string | undefined): void {
    this.fault = code;
  }

  abstract step(dtMs: number, at?: number): Reading;
}

/** A model that can fail slowly: `degrade` takes away a share of its cooling or heating every hour, with no fault code. */
export abstract class WearingModel extends BaseModel {
  /** Share of its cooling (or heating) it still delivers; 1 = new. */
  protected capacity = 1;
  private lossPerHour = 0;

  /** `perHour` tenths of its capacity gone every hour. */
  degrade(perHour: number): void {
    this.lossPerHour = perHour / 10;
  }

  /** Applies `minutes` of wear; capacity never falls below `floor`. */
  protected wear(minutes: number, floor = 0): void {
    this.capacity = Math.max(floor, this.capacity - (this.lossPerHour * minutes) / 60);
  }
}
