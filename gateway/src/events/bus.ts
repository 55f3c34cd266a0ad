import { EventEmitter } from 'node:events';
import type { EventLog } from './event-log.js';
import type { LiveEvent } from './live-event.js';

export type { LiveEvent };

/** An event's id: from the durable window, or undefined when it could not be stored (it still goes out live). */
export type LiveListener = (id: number | undefined, event: LiveEvent) => void;

/**
 * In-process fan-out of committed changes. With an event log, every event is stored first
 * and carries the log's id (durable, growing across restarts: clients resume from it).
 * Listeners must not throw; a throwing one is dropped.
 */
export class EventBus {
  private readonly emitter = new EventEmitter();
  private nextId = 1;

  constructor(
    /** The durable window the ids come from (SSE replays from it). */
    readonly log?: EventLog,
    private readonly onLogError?: (err: unknown) => void,
  ) {
    this.emitter.setMaxListeners(0);
  }

  publish(event: LiveEvent): void {
    this.publishAll([event]);
  }

  /** Publishes events in order; with a log, they are stored in one transaction. */
  publishAll(events: readonly LiveEvent[]): void {
    if (events.length === 0) return;
    let ids: (number | undefined)[];
    if (this.log === undefined) ids = events.map(() => this.nextId++);
    else {
      try {
        ids = events.length === 1 ? [this.log.append(events[0] as LiveEvent)] : this.log.appendAll(events);
      } catch (err) {
        this.onLogError?.(err);
        ids = events.map(() => undefined);
      }
    }
    const listeners = this.emitter.listeners('event') as LiveListener[];
    events.forEach((event, i) => {
      for (const listener of listeners) {
        try {
          listener(ids[i], event);
        } catch {
          this.emitter.off('event', listener);
        }
      }
    });
  }

  subscribe(listener: LiveListener): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  get listenerCount(): number {
    return this.emitter.listenerCount('event');
  }
}
