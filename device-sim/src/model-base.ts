import type { ApplianceType } from '@forecare/firmware-contracts';
import type { ApplianceModel, Reading } from './models.js';
import type { Random } from './random.js';

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
