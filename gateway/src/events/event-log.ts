import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/db.js';
import type { LiveEvent } from './live-event.js';

export interface StoredEvent {
  readonly id: number;
  readonly type: LiveEvent['type'];
  readonly data: string;
}

export interface EventWindow {
  /** The oldest id still kept (latest + 1 when none is). */
  readonly oldest: number;
  /** The last id ever handed out (0 before the first event). */
  readonly latest: number;
}

export interface EventLogOptions {
  /** Events older than this go (default 24 h)… */
  readonly keepMs?: number;
  /** …and never more than this many are kept (default 50,000). */
  readonly keepMax?: number;
}

/**
 * The durable window of live events, the `live_events` table's owner. Every event the bus
 * publishes gets its id here: SQLite's AUTOINCREMENT hands out each id once, ever, so ids
 * keep growing across restarts and pruning, and a client's Last-Event-ID always means the
 * same event. The window is pruned by age and by count.
 */
export class EventLog {
  private readonly insert;
  private readonly select;
  private readonly oldestId;
  private readonly latestId;
  private readonly keepMs: number;
  private readonly keepMax: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly logger: Logger,
    options: EventLogOptions = {},
  ) {
    this.keepMs = options.keepMs ?? 86_400_000;
    this.keepMax = options.keepMax ?? 50_000;
    const s = store.sqlite;
    this.insert = s.prepare('INSERT INTO live_events (at, type, data) VALUES (?, ?, ?)');
    this.select = s.prepare('SELECT id, type, data FROM live_events WHERE id > ? ORDER BY id LIMIT ?');
    this.oldestId = s.prepare('SELECT min(id) FROM live_events').pluck();
    this.latestId = s.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'live_events'").pluck();
  }

  /** Stores the event; its id. */
  append(event: LiveEvent): number {
    return Number(this.insert.run(this.clock.now(), event.type, JSON.stringify(event.data)).lastInsertRowid);
  }

  /** Stores events in one transaction (a batch of alarm events); their ids, in order. */
  appendAll(events: readonly LiveEvent[]): number[] {
    return this.store.transaction(() => events.map((e) => this.append(e)));
  }

  /** Events after `id`, oldest first, at most `limit`. */
  after(id: number, limit: number): StoredEvent[] {
    return this.select.all(id, limit) as StoredEvent[];
  }

  window(): EventWindow {
    const latest = (this.latestId.get() as number | undefined) ?? 0;
    const oldest = (this.oldestId.get() as number | null) ?? latest + 1;
    return { oldest, latest };
  }

  /** Drops events past the window's age or count; how many went. */
  prune(): number {
    const s = this.store.sqlite;
    const byAge = s.prepare('DELETE FROM live_events WHERE at < ?').run(this.clock.now() - this.keepMs).changes;
    const { latest } = this.window();
    const byCount = s.prepare('DELETE FROM live_events WHERE id <= ?').run(latest - this.keepMax).changes;
    return byAge + byCount;
  }

  start(everyMs = 60_000): void {
    const run = (): void => {
      try {
        this.prune();
      } catch (err) {
        this.logger.warn({ err }, 'live event window not pruned; will try again');
      }
    };
    run();
    this.timer = setInterval(run, everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
