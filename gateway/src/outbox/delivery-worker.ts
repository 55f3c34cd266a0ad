import type { Clock } from '../clock.js';
import type { GatewayConfig } from '../config/config.js';
import { signatureHeader } from '../contact-center/signing.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Outbox, OutboxRow } from './outbox.js';

/** The contact-center settings; every valid secret signs, so receivers on either side of a rotation verify. */
export type DeliveryOptions = GatewayConfig['contactCenter'] & { readonly concurrency?: number };

/** Statuses that will not get better by retrying the same request. */
const PERMANENT = new Set([400, 401, 403, 404, 405, 410, 413, 415, 422]);

/** Exponential backoff with full jitter: a random delay in [d/2, d], d = base·2^attempt, capped. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const d = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(d / 2 + random() * (d / 2));
}

/** Retry-After as seconds or an HTTP date, in ms from now; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const s = Number(header);
  if (Number.isFinite(s) && s >= 0) return s * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The JSON body the contact center receives for a task. */
export function taskBody(task: OutboxRow, timestampMs: number): string {
  return JSON.stringify({
    type: `contact.${task.purpose}`,
    timestamp: new Date(timestampMs).toISOString(),
    data: {
      taskId: task.taskId,
      purpose: task.purpose,
      urgency: task.urgency,
      channel: task.channel,
      hubId: task.hubId,
      applianceId: task.applianceId,
      ticketId: task.ticketId,
      customerId: task.customerId,
      ...(JSON.parse(task.payload) as Record<string, unknown>),
    },
  });
}

/**
 * Sends due outbox tasks to the contact center: one POST per task, signed in the Standard
 * Webhooks form, with `Idempotency-Key` = task id (stable across retries, so the receiver
 * can drop a repeat), retried with backoff and jitter (honouring Retry-After), and marked
 * dead after the retry budget. Every attempt is recorded.
 */
export class DeliveryWorker {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = true;
  private readonly inflight = new Set<string>();
  private idle: Promise<void> = Promise.resolve();

  constructor(
    private readonly outbox: Outbox,
    private readonly options: DeliveryOptions,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {}

  get enabled(): boolean {
    return this.options.url !== '';
  }

  get isRunning(): boolean {
    return !this.stopped;
  }

  start(): void {
    this.stopped = false;
    this.kick();
  }

  /** Wakes the worker now (a task was just written). */
  kick(): void {
    if (this.stopped) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.runOnce(), 0);
  }

  private runOnce(): void {
    this.timer = undefined;
    if (this.stopped || this.running) return;
    this.running = true;
    this.idle = this.drain()
      .catch((err: unknown) => this.logger.error({ err }, 'delivery loop failed'))
      .finally(() => {
        this.running = false;
        this.schedule();
      });
  }

  private schedule(): void {
    if (this.stopped) return;
    this.metrics.outboxPending.set(this.outbox.pendingCount());
    const next = this.outbox.nextDueAt();
    const delay = next === null ? 1000 : Math.min(1000, Math.max(0, next - this.clock.now()));
    this.timer = setTimeout(() => this.runOnce(), delay);
  }

  private async drain(): Promise<void> {
    if (!this.enabled) return;
    const concurrency = this.options.concurrency ?? 4;
    for (;;) {
      if (this.stopped) return;
      const due = this.outbox.due(concurrency * 4).filter((t) => !this.inflight.has(t.taskId));
      if (due.length === 0) return;
      for (let i = 0; i < due.length; i += concurrency) {
        await Promise.all(due.slice(i, i + concurrency).map((t) => this.deliver(t)));
      }
    }
  }

  /** One attempt for one task. Never throws. */
  async deliver(task: OutboxRow): Promise<void> {
    this.inflight.add(task.taskId);
    const started = this.clock.now();
    const t0 = process.hrtime.bigint();
    const body = taskBody(task, started);
    const ts = Math.floor(started / 1000);
    let status: number | null = null;
    let error: string | null = null;
    let retryAfter: number | undefined;
    try {
      const res = await fetch(this.options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': task.taskId,
          'webhook-timestamp': String(ts),
          'webhook-signature': signatureHeader(this.options.secrets, task.taskId, ts, body),
          'idempotency-key': task.taskId,
          'user-agent': 'forecare-gateway',
        },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      status = res.status;
      retryAfter = retryAfterMs(res.headers.get('retry-after'), this.clock.now());
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok && res.status !== 409) error = `HTTP ${res.status}`;
    } catch (err) {
      error = (err as Error).name === 'TimeoutError' ? `timeout after ${this.options.timeoutMs} ms` : (err as Error).message;
    }
    const durationMs = Number(process.hrtime.bigint() - t0) / 1e6;
    this.metrics.deliverySeconds.observe(durationMs / 1000);
    const now = this.clock.now();
    try {
      this.outbox.recordAttempt(task.taskId, { at: started, status, error, durationMs: Math.round(durationMs) });
      const attempts = task.attempts + 1;
      if (error === null) {
        this.outbox.markDelivered(task.taskId, status ?? 0, now);
        this.metrics.deliveries.inc({ result: 'delivered' });
        this.logger.info({ taskId: task.taskId, ticketId: task.ticketId, purpose: task.purpose, status, attempts }, 'contact task delivered');
      } else if ((status !== null && PERMANENT.has(status)) || attempts >= this.options.maxAttempts) {
        this.outbox.markDead(task.taskId, status, error);
        this.metrics.deliveries.inc({ result: 'dead' });
        this.logger.error({ taskId: task.taskId, ticketId: task.ticketId, status, error, attempts }, 'contact task dead-lettered');
      } else {
        const delay = Math.min(this.options.maxDelayMs, Math.max(retryAfter ?? 0, backoffDelay(attempts - 1, this.options.baseDelayMs, this.options.maxDelayMs)));
        this.outbox.markRetry(task.taskId, status, error, now + delay);
        this.metrics.deliveries.inc({ result: 'retry' });
        this.logger.warn({ taskId: task.taskId, status, error, attempts, retryInMs: delay }, 'contact task delivery failed; will retry');
      }
    } catch (err) {
      this.logger.error({ err, taskId: task.taskId }, 'could not record delivery attempt');
    } finally {
      this.inflight.delete(task.taskId);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.idle;
  }
}
