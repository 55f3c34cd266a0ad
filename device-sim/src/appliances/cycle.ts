import type { Random } from '../random.js';

/** A cycle through named phases of fixed length, started now and then; shared by the dryer and the dishwasher. */
export class Cycle<P extends { readonly phase: string; readonly minutes: number }> {
  private index = -1;
  private left = 0;

  constructor(
    private readonly phases: readonly P[],
    private readonly startsPerHour: number,
  ) {}

  /** The phase after `minutes` more, or undefined while idle. `stretch` lengthens phases (a weak heater). */
  step(rnd: Random, minutes: number, stretch = 1): P | undefined {
    if (this.index < 0) {
      if (!rnd.chance(Math.min(0.3, (this.startsPerHour / 60) * minutes))) return undefined;
      this.index = 0;
      this.left = (this.phases[0]?.minutes ?? 0) * stretch;
      return this.phases[0];
    }
    this.left -= minutes;
    while (this.left <= 0 && this.index >= 0) {
      this.index++;
      const next = this.phases[this.index];
      if (next === undefined) this.index = -1;
      else this.left += next.minutes * stretch;
    }
    return this.index < 0 ? undefined : this.phases[this.index];
  }
}
