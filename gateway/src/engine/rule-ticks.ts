import type { Part } from '../part.js';

/** Advances the rule timers every `everyMs` (offline alarms fire while a hub stays away); a part of its own, started once the gateway serves. */
export class RuleTicks implements Part {
  readonly name = 'rule timers';
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly tick: () => Promise<void>,
    private readonly everyMs: number,
  ) {}

  get running(): boolean {
    return this.timer !== undefined;
  }

  start(): Promise<void> {
    this.timer ??= setInterval(() => void this.tick(), this.everyMs);
    this.timer.unref();
    return Promise.resolve();
  }

  stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    return Promise.resolve();
  }
}
