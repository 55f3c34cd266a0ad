import type { Logger } from './log.js';

/**
 * One piece of the running gateway. Its constructor does no I/O; `start` opens what it needs
 * (a port, a thread, a timer), `stop` lets go of it. The controller starts the parts in the
 * order data flows through them and stops them in reverse.
 */
export interface Part {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /**
   * Longest wait for `stop`. Only parts whose unfinished work is kept elsewhere (a contact
   * task stays in the outbox, a history batch in the journal) have one, so one peer that does
   * not answer cannot hold the shutdown. The journal, the rules' checkpoint and the store have
   * none: what they hold is what a restart needs.
   */
  readonly stopWithinMs?: number;
}

/** A part that only has something to let go of (what it holds was opened before the list started). */
export function closing(name: string, stop: () => Promise<void> | void, stopWithinMs?: number): Part {
  return { name, start: () => Promise.resolve(), stop: async () => stop(), ...(stopWithinMs !== undefined ? { stopWithinMs } : {}) };
}

/** Starts parts in order and stops the started ones in reverse; a part whose start failed part-way is stopped too. */
export class PartList {
  private started: Part[] = [];
  /** The part being stopped now, for a shutdown that has to be cut short. */
  current: string | undefined;

  constructor(private readonly logger: Logger) {}

  /** Starts every part in order; when one fails, stops what was started (it included) and rethrows. */
  async startAll(parts: readonly Part[]): Promise<void> {
    try {
      for (const part of parts) {
        this.started.push(part);
        await part.start();
      }
    } catch (err) {
      await this.stopAll();
      throw err;
    }
  }

  async stopAll(): Promise<void> {
    const parts = this.started.reverse();
    this.started = [];
    for (const part of parts) {
      this.current = part.name;
      try {
        await bounded(Promise.resolve().then(() => part.stop()), part.stopWithinMs, () =>
          this.logger.warn({ part: part.name, boundMs: part.stopWithinMs }, 'part did not stop in time; going on with the shutdown'),
        );
      } catch (err) {
        this.logger.warn({ err, part: part.name }, 'error while stopping');
      }
    }
    this.current = undefined;
  }
}

/** Waits for `work`, or at most `ms` (then calls `late`); `work` failing later is still handled. */
export async function bounded(work: Promise<void>, ms: number | undefined, late: () => void): Promise<void> {
  if (ms === undefined) return work;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), ms)));
  try {
    if ((await Promise.race([work, timeout])) === 'late') late();
  } finally {
    clearTimeout(timer);
  }
}
