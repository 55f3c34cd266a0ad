/** Where the simulator's time comes from: the wall clock, or an accelerated one (a week in minutes). */
export interface SimClock {
  now(): number;
  /** Real milliseconds to wait for `simMs` of simulated time. */
  realDelay(simMs: number): number;
}

export const realClock: SimClock = { now: () => Date.now(), realDelay: (ms) => ms };

/** Simulated time runs `factor` times faster than real time, from `start`. */
export class AcceleratedClock implements SimClock {
  private readonly realStart = Date.now();

  constructor(
    private readonly start: number,
    private readonly factor: number,
  ) {}

  now(): number {
    return this.start + Math.round((Date.now() - this.realStart) * this.factor);
  }

  realDelay(simMs: number): number {
    return Math.max(1, Math.round(simMs / this.factor));
  }
}
