import { Worker, type WorkerOptions } from 'node:worker_threads';
import type { Logger } from './log.js';

export interface WorkerThreadOptions<Reply> {
  /** For the logs: "rule engine thread", "journal writer thread". */
  readonly name: string;
  readonly file: URL;
  /** Read at every start (a replacement thread gets them afresh). */
  readonly workerOptions: () => WorkerOptions;
  /** Posted to ask the thread to end once it has answered what it was given. */
  readonly stopMessage: unknown;
  /** Every message from the thread but its first, `'ready'`. */
  onReply(reply: Reply): void;
  /** The thread exited: fail what it held. `restarting`: a new one is being started (it had started, and no stop was asked). */
  onExit(code: number, restarting: boolean): void;
  /** The replacement thread is ready. */
  onRestarted?(): void;
  /** The replacement thread could not start. */
  onRestartFailed?(err: unknown): void;
}

/**
 * The lifecycle both of the gateway's worker threads share (the rule engine's and the
 * journal writer's): started once the thread says `'ready'`, replaced when it dies after
 * that, and stopped by a message so that it answers what it was given first. What the
 * requests and replies are is the owner's business.
 */
export class WorkerThread<Request, Reply> {
  private worker: Worker | undefined;
  private stopping = false;

  constructor(
    private readonly logger: Logger,
    private readonly options: WorkerThreadOptions<Reply>,
  ) {}

  get running(): boolean {
    return this.worker !== undefined;
  }

  start(): Promise<void> {
    const o = this.options;
    return new Promise((resolve, reject) => {
      const worker = new Worker(o.file, o.workerOptions());
      let ready = false;
      worker.on('message', (m: Reply | 'ready') => {
        if (m === 'ready') {
          ready = true;
          resolve();
        } else o.onReply(m);
      });
      worker.on('error', (err) => {
        this.logger.error({ err }, `${o.name} failed`);
        if (!ready) reject(err);
      });
      worker.on('exit', (code) => {
        this.worker = undefined;
        const restarting = !this.stopping && ready;
        o.onExit(code, restarting);
        if (!restarting) return;
        this.logger.error({ code }, `${o.name} exited; starting a new one`);
        this.start().then(
          () => o.onRestarted?.(),
          (err: unknown) => {
            this.logger.error({ err }, `${o.name} could not be restarted`);
            o.onRestartFailed?.(err);
          },
        );
      });
      this.worker = worker;
    });
  }

  /** false when no thread is running (the request was not sent). */
  post(request: Request, transfer: readonly ArrayBuffer[]): boolean {
    if (this.worker === undefined) return false;
    this.worker.postMessage(request, transfer as ArrayBuffer[]);
    return true;
  }

  /** Ends the thread once it has answered what it was given. */
  async stop(): Promise<void> {
    this.stopping = true;
    const worker = this.worker;
    if (worker === undefined) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage(this.options.stopMessage);
    await exited;
  }
}

/**
 * A thread's compiled file, given the module that starts it and the file's path under dist/:
 * beside the module when it runs built, the built one when it runs from the TypeScript
 * sources (tests), as a worker cannot load TypeScript.
 */
export function threadFile(moduleUrl: string, distPath: string): URL {
  const here = new URL(moduleUrl);
  const name = distPath.slice(distPath.lastIndexOf('/') + 1);
  return here.pathname.endsWith('.ts') ? new URL(`../../dist/${distPath}`, here) : new URL(`./${name}`, here);
}
