import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { Store } from './db.js';

/**
 * A callback's webhook id is kept at least this long: replays are refused by the id while it
 * is kept and by the signed timestamp (5 minutes of tolerance) after that.
 */
const KEEP_WEBHOOK_IDS_MS = 3_600_000;

/**
 * Keeps the recent window: journal rows, chart history, dead letters and contact-center
 * webhook ids older than the retention go — but never a journal row a consumer (the rules, the telemetry store) has
 * not yet taken, so an outage of the history store is not turned into a loss by pruning.
 */
export class Retention {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly retentionMs: number,
    /** Checkpoints whose position the journal must keep (e.g. 'rules', 'influx'). */
    private readonly consumers: readonly string[],
  ) {}

  prune(): { journal: number; telemetry: number; deadLetters: number; webhookIds: number } {
    const now = this.clock.now();
    const cutoff = now - this.retentionMs;
    const s = this.store.sqlite;
    const positions = this.consumers.map((name) => (s.prepare('SELECT pos FROM checkpoints WHERE name = ?').get(name) as { pos: number } | undefined)?.pos ?? 0);
    const keepFrom = positions.length === 0 ? Number.MAX_SAFE_INTEGER : Math.min(...positions);
    // The journal file's writer thread may wait up to busy_timeout for this delete, never the other way round.
    const journal = this.store.journal.prepare('DELETE FROM journal WHERE received_at < ? AND pos <= ?').run(cutoff, keepFrom).changes;
    const result = this.store.transaction(() => ({
      journal,
      telemetry: s.prepare('DELETE FROM telemetry WHERE at < ?').run(cutoff).changes,
      deadLetters: s.prepare('DELETE FROM dead_letters WHERE received_at < ?').run(cutoff).changes,
      webhookIds: s.prepare('DELETE FROM webhook_receipts WHERE received_at < ?').run(Math.min(cutoff, now - KEEP_WEBHOOK_IDS_MS)).changes,
    }));
    if (result.journal + result.telemetry + result.deadLetters + result.webhookIds > 0) this.logger.info({ ...result, retentionMs: this.retentionMs }, 'old history pruned');
    return result;
  }

  start(everyMs = 600_000): void {
    const run = (): void => {
      try {
        this.prune();
      } catch (err) {
        this.logger.warn({ err }, 'pruning failed; will try again');
      }
    };
    run();
    this.timer = setInterval(run, everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
  }
}
