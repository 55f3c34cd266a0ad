import type { AlarmEvent, ManualClear } from '@forecare/rules';
import type { EventBus, LiveEvent } from '../events/bus.js';
import type { Logger } from '../log.js';
import type { ServiceLoop } from '../service/service.js';
import type { Store } from '../store/db.js';

/** Told what a committed batch of alarm events changed, after the bus (the delivery worker's wake-up, a backtest's report). */
export type AppliedListener = (events: readonly LiveEvent[]) => void;

/**
 * Applies the engine's alarm events: all of one reply in one transaction through the service
 * loop (tickets, notifications, outbox rows), then — for live events, not a replay — what
 * they changed goes out on the bus and to the listeners given at construction.
 */
export class AlarmApplier {
  constructor(
    private readonly store: Store,
    private readonly service: ServiceLoop,
    private readonly bus: EventBus,
    private readonly logger: Logger,
    private readonly listeners: readonly AppliedListener[] = [],
  ) {}

  /** Alarms cleared by hand since `since`, for an engine rebuilt from an older checkpoint. */
  manualClearsSince(since: number): ManualClear[] {
    return this.service.manualClearsSince(since);
  }

  /** false when the events could not be applied (the transaction rolled back). */
  apply(events: readonly AlarmEvent[], live: boolean): boolean {
    if (events.length === 0) return true;
    const published: LiveEvent[] = [];
    try {
      this.store.transaction(() => {
        for (const e of events) for (const l of this.service.apply(e).live) published.push(l);
      });
    } catch (err) {
      this.logger.error({ err, events: events.length }, 'alarm events not applied');
      return false;
    }
    if (live) {
      this.bus.publishAll(published);
      for (const listener of this.listeners) listener(published);
    }
    return true;
  }
}
