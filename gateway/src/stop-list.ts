import type { Logger } from './log.js';

interface Part {
  readonly name: string;
  readonly stop: () => Promise<void> | void;
  readonly boundMs: number | undefined;
}

/**
 * The gateway's parts in the order they started; stopped in reverse. A part with a bound
 * is waited for that long at most — only parts whose unfinished work is kept elsewhere (a
 * contact task stays in the outbox, a history batch in the journal) get one — so one peer
 * that does not answer cannot hold the shutdown. The journal, the rules' checkpoint and the
 * store have no bound: what they hold is what a restart needs.
 */
export class StopList {
  private parts: Part[] = [];
  /** The part being stopped now, for a shutdown that has to be cut short. */
  current: string | undefined;

  constructor(private readonly logger: Logger) {}

  add(name: string, stop: () => Promise<void> | void, boundMs?: number): void {
    this.parts.push({ name, stop, boundMs });
  }

  async stopAll(): Promise<void> {
    const parts = this.parts.reverse();
    this.parts = [];
    for (const part of parts) {
      this.current = part.name;
      try {
        await bounded(Promise.resolve().then(part.stop), part.boundMs, () => this.logger.warn({ part: part.name, boundMs: part.boundMs }, 'part did not stop in time; going on with the shutdown'));
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
