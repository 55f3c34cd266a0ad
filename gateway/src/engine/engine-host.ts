import type { Logger } from '../log.js';
import { threadFile, WorkerThread } from '../worker-thread.js';
import { EngineCore, type EngineAcks, type EngineReply, type EngineRequest } from './engine-core.js';

/** Where the rule engine runs; replies come in the order the requests were made. */
export interface EngineHost {
  /** `onLost` is called when the engine was lost (its thread died and was replaced): its state must be rebuilt from the checkpoint. */
  start(onLost: () => void): Promise<void>;
  call(req: EngineRequest, transfer: readonly ArrayBuffer[], done: (reply: EngineReply) => void): void;
  stop(): Promise<void>;
  /** Whether committed batches should come packed (a thread: a few buffers to transfer) rather than as decoded entries. */
  readonly takesPackedBatches: boolean;
}

/** On the calling thread: `done` runs before `call` returns (tests, an in-memory store). */
export class InlineEngineHost implements EngineHost {
  private readonly core = new EngineCore();
  readonly takesPackedBatches = false;

  start(): Promise<void> {
    return Promise.resolve();
  }

  call(req: EngineRequest, _transfer: readonly ArrayBuffer[], done: (reply: EngineReply) => void): void {
    done(this.core.handle(req));
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }
}

const lost = (why: string): EngineReply => ({ events: [], openAlarms: -1, evalMs: 0, error: why, lost: true });

/**
 * On a thread of its own (engine-thread.ts), so judging every message against the rules
 * runs beside the broker's event loop instead of on it. A thread that dies fails the
 * requests it held and is started anew; `onLost` then has the runner rebuild its state.
 */
export class ThreadEngineHost implements EngineHost {
  private readonly thread: WorkerThread<EngineRequest, EngineReply | EngineAcks>;
  private readonly waiting: ((reply: EngineReply) => void)[] = [];
  private head = 0;
  readonly takesPackedBatches = true;
  /** Requests made while a lost thread is being replaced: sent to the new one. */
  private held: { req: EngineRequest; transfer: readonly ArrayBuffer[]; done: (reply: EngineReply) => void }[] | undefined;
  private onLost: (() => void) | undefined;

  constructor(logger: Logger) {
    this.thread = new WorkerThread(logger, {
      name: 'rule engine thread',
      file: threadFile(import.meta.url, 'engine/engine-thread.js'),
      workerOptions: () => {
        // The built engine, whatever export conditions the parent runs with (tests resolve workspace packages to sources).
        const args = withoutConditions(process.execArgv);
        return args.length < process.execArgv.length ? { execArgv: args } : {};
      },
      stopMessage: 'stop',
      onReply: (m) => {
        if (!('acks' in m)) {
          this.next()?.(m);
          return;
        }
        const quiet: EngineReply = { events: [], openAlarms: -1, evalMs: m.evalMs / m.acks, changeCount: m.changeCount };
        for (let i = 0; i < m.acks; i++) this.next()?.(quiet);
      },
      onExit: (code, restarting) => {
        // Held from here, so what the failures below set off waits for the new thread.
        if (restarting) this.held = [];
        for (let done = this.next(); done !== undefined; done = this.next()) done(lost(`rule engine thread exited (${code})`));
      },
      onRestarted: () => {
        for (const h of this.takeHeld()) this.call(h.req, h.transfer, h.done);
        this.onLost?.();
      },
      onRestartFailed: () => {
        for (const h of this.takeHeld()) h.done(lost('rule engine thread could not be restarted'));
      },
    });
  }

  start(onLost: () => void): Promise<void> {
    this.onLost = onLost;
    return this.thread.start();
  }

  call(req: EngineRequest, transfer: readonly ArrayBuffer[], done: (reply: EngineReply) => void): void {
    if (!this.thread.running) {
      if (this.held !== undefined) this.held.push({ req, transfer, done });
      else done(lost('rule engine thread is not running'));
      return;
    }
    this.waiting.push(done);
    this.thread.post(req, transfer);
  }

  /** Ends the thread once it has answered what it was given. */
  stop(): Promise<void> {
    return this.thread.stop();
  }

  private takeHeld(): NonNullable<ThreadEngineHost['held']> {
    const held = this.held ?? [];
    this.held = undefined;
    return held;
  }

  private next(): ((reply: EngineReply) => void) | undefined {
    if (this.head >= this.waiting.length) return undefined;
    const done = this.waiting[this.head++];
    if (this.head > 1024 && this.head * 2 > this.waiting.length) {
      this.waiting.splice(0, this.head);
      this.head = 0;
    }
    return done;
  }
}

/** Node options without `--conditions` / `-C` (either as `--conditions=x` or followed by its value). */
export function withoutConditions(args: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--conditions' || a === '-C') i++;
    else if (!a.startsWith('--conditions=') && !a.startsWith('-C=')) kept.push(a);
  }
  return kept;
}
