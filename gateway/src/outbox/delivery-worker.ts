import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Clock } from '../clock.js';
import type { GatewayConfig } from '../config/config.js';
import { signatureHeader } from '../contact-center/signing.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import type { DeliveryOutcome, Outbox, OutboxRow } from './outbox.js';

/** The contact-center settings; the first (newest) secret signs. */
export type DeliveryOptions = GatewayConfig['contactCenter'] & { readonly concurrency?: number };

/** Statuses that will not get better by retrying the same request. */
const PERMANENT = new Set([400, 401, 403, 404, 405, 410, 413, 415, 422]);

/** Exponential backoff with full jitter: a random delay in [d/2, d], d = base·2^attempt, capped. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const d = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(d / 2 + random() * (d / 2));
}

/** The longest Retry-After we wait for; a contact center asking for more is retried after a day. */
export const MAX_RETRY_AFTER_MS = 86_400_000;

/**
 * When to try again after a failed attempt: the backoff, but never sooner than the
 * receiver's Retry-After (RFC 9110 §10.2.3) — which may ask for longer than the backoff cap.
 */
export function retryDelay(attempt: number, retryAfter: number | undefined, options: { readonly baseDelayMs: number; readonly maxDelayMs: number }, random: () => number = Math.random): number {
  const backoff = backoffDelay(attempt, options.baseDelayMs, options.maxDelayMs, random);
  return retryAfter === undefined ? backoff : Math.max(backoff, Math.min(retryAfter, MAX_RETRY_AFTER_MS));
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

interface PostResult {
  readonly status: number;
  readonly retryAfter: string | null;
}

/**
 * One POST over a kept-alive connection (node:http rather than fetch: no web streams per
 * request, which at a thousand tasks a second was a tenth of the gateway's time).
 */
function post(url: URL, agent: HttpAgent, headers: Record<string, string>, body: string, timeoutMs: number): Promise<PostResult> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res: IncomingMessage) => {
      res.resume(); // the body is not needed; reading it frees the connection for the next task
      res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: headerOf(res.headers['retry-after']) }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error(`timeout after ${timeoutMs} ms`), { name: 'TimeoutError' })));
    req.on('error', reject);
    req.end(body);
  });
}

const headerOf = (v: string | string[] | undefined): string | null => (Array.isArray(v) ? (v[0] ?? null) : (v ?? null));

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
  private outcomes: { readonly outcome: DeliveryOutcome; readonly resolve: (err: Error | undefined) => void }[] = [];
  private idle: Promise<void> = Promise.resolve();
  private readonly agent: HttpAgent;
  private readonly url: URL | undefined;

  constructor(
    private readonly outbox: Outbox,
    private readonly options: DeliveryOptions,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {
    const concurrency = options.concurrency ?? 16;
    this.url = options.url === '' ? undefined : new URL(options.url);
    this.agent = this.url?.protocol === 'https:' ? new HttpsAgent({ keepAlive: true, maxSockets: concurrency }) : new HttpAgent({ keepAlive: true, maxSockets: concurrency });
  }

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

  /** Keeps up to `concurrency` deliveries in flight, taking due tasks as room frees up, until none are due. */
  private async drain(): Promise<void> {
    if (!this.enabled) return;
    const concurrency = this.options.concurrency ?? 16;
    const active = new Set<Promise<void>>();
    // Due task ids not yet taken, the longest waiting last (taken with pop); refilled when empty.
    let page: string[] = [];
    while (!this.stopped) {
      while (active.size < concurrency) {
        if (page.length === 0) {
          page = this.outbox.due(concurrency * 4 + this.inflight.size).filter((id) => !this.inflight.has(id)).reverse();
          if (page.length === 0) break;
        }
        const id = page.pop() as string;
        // Read when taken: a task delivered, dead-lettered or cancelled since it was listed is skipped.
        const task = this.inflight.has(id) ? undefined : this.outbox.pendingTask(id);
        if (task === undefined) continue;
        const p: Promise<void> = this.deliver(task).finally(() => active.delete(p));
        active.add(p);
      }
      if (active.size === 0) return;
      await Promise.race(active);
    }
    await Promise.all(active);
  }

  /** One attempt for one task. Never throws. */
  async deliver(task: OutboxRow): Promise<void> {
    this.inflight.add(task.taskId);
    const started = this.clock.now();
    const t0 = process.hrtime.bigint();
    const ts = Math.floor(started / 1000);
    let status: number | null = null;
    let error: string | null = null;
    let retryAfter: number | undefined;
    try {
      if (this.url === undefined) throw new Error('no contact-center URL configured');
      const body = taskBody(task, started);
      const headers = {
        'content-type': 'application/json',
        'webhook-id': task.taskId,
        'webhook-timestamp': String(ts),
        'webhook-signature': signatureHeader(this.options.secrets, task.taskId, ts, body),
        'idempotency-key': task.taskId,
        'user-agent': 'forecare-gateway',
      };
      const res = await post(this.url, this.agent, headers, body, this.options.timeoutMs);
      status = res.status;
      retryAfter = retryAfterMs(res.retryAfter, this.clock.now());
      if ((status < 200 || status > 299) && status !== 409) error = `HTTP ${status}`;
    } catch (err) {
      error = (err as Error).message;
    }
    const durationMs = Number(process.hrtime.bigint() - t0) / 1e6;
    this.metrics.deliverySeconds.observe(durationMs / 1000);
    const now = this.clock.now();
    const attempt = { at: started, status, error, durationMs: Math.round(durationMs) };
    const attempts = task.attempts + 1;
    const result = error === null ? 'delivered' : (status !== null && PERMANENT.has(status)) || attempts >= this.options.maxAttempts ? 'dead' : 'retry';
    const delay = result === 'retry' ? retryDelay(attempts - 1, retryAfter, this.options) : 0;
    // In flight until its outcome is committed: listed as pending before that, it must not be sent again.
    const failed = await this.commitOutcome({ taskId: task.taskId, attempt, result, at: now, ...(result === 'retry' ? { nextAttemptAt: now + delay } : {}) });
    this.inflight.delete(task.taskId);
    if (failed !== undefined) {
      this.logger.error({ err: failed, taskId: task.taskId }, 'could not record delivery attempt');
      return;
    }
    this.metrics.deliveries.inc({ result });
    if (result === 'delivered') this.logger.info({ taskId: task.taskId, ticketId: task.ticketId, purpose: task.purpose, status, attempts }, 'contact task delivered');
    else if (result === 'dead') this.logger.error({ taskId: task.taskId, ticketId: task.ticketId, status, error, attempts }, 'contact task dead-lettered');
    else this.logger.warn({ taskId: task.taskId, status, error, attempts, retryInMs: delay }, 'contact task delivery failed; will retry');
  }

  /** Outcomes of the deliveries that finish in one event-loop turn share one commit. */
  private commitOutcome(outcome: DeliveryOutcome): Promise<Error | undefined> {
    return new Promise((resolve) => {
      this.outcomes.push({ outcome, resolve });
      if (this.outcomes.length === 1) setImmediate(() => this.commitOutcomes());
    });
  }

  private commitOutcomes(): void {
    const batch = this.outcomes;
    this.outcomes = [];
    let errors: (Error | undefined)[];
    try {
      errors = this.outbox.recordOutcomes(batch.map((b) => b.outcome));
    } catch (err) {
      errors = batch.map(() => err as Error);
    }
    batch.forEach((b, i) => b.resolve(errors[i]));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.idle;
    this.agent.destroy();
  }
}
