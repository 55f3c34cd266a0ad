import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Random } from './random.js';

export interface ReceivedTask {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly json: { type: string; timestamp: string; data: Record<string, unknown> & { taskId: string; purpose: string } };
  readonly verified: boolean;
  readonly status: number;
  readonly at: number;
}

export type Outcome = 'reached' | 'booked' | 'declined' | 'no-answer' | 'wrong-number';

export interface ContactCenterOptions {
  /**
   * Standard Webhooks secret (whsec_…) shared with the gateway: tasks are verified with it and
   * callbacks signed. During a rotation, several (newest first): any of them verifies a task,
   * the first signs callbacks.
   */
  readonly secret: string | readonly string[];
  readonly port?: number;
  /** Where outcomes are reported (the gateway's /api/v1/contact-center/outcomes); none when absent. */
  readonly callbackUrl?: string;
  /** Outcome of each accepted task (the first matching by weight); default: none reported. */
  readonly outcomes?: Partial<Record<Outcome, number>>;
  /** Extra answer latency, ms. */
  readonly latencyMs?: number;
  /** Share of requests answered 500 (0–1). */
  readonly failureRate?: number;
  readonly seed?: number;
}

/**
 * A contact-center simulator: a real HTTP service that receives forecare's contact tasks,
 * verifies their Standard Webhooks signatures with its own HMAC code, answers with a
 * configurable latency and failure rate, keeps one accepted task per Idempotency-Key, and
 * reports outcomes back, signed, as a real contact center would.
 */
export class ContactCenterSim {
  readonly received: ReceivedTask[] = [];
  /** Requests that have arrived, answered or not yet (an answer waits `delayMs`). */
  arrived = 0;
  readonly outcomesSent: { taskId: string; outcome: Outcome; status: number }[] = [];
  /** Answer the next n requests with `failStatus` (on top of the failure rate). */
  failNext = 0;
  /** The status of a failed answer. */
  failStatus = 500;
  /** Retry-After sent with failed answers (seconds or an HTTP date), none when undefined. */
  retryAfter: string | undefined;
  /** Answer this long after the request arrived. */
  delayMs: number;
  /** Where outcomes are reported; may be set after start (the gateway's port is known later). */
  callbackUrl: string | undefined;
  private server: Server | undefined;
  private port: number;
  private readonly rnd: Random;
  private callbackSeq = 0;

  constructor(private readonly options: ContactCenterOptions | string) {
    const o = typeof options === 'string' ? { secret: options } : options;
    this.delayMs = o.latencyMs ?? 0;
    this.callbackUrl = o.callbackUrl;
    this.port = o.port ?? 0;
    this.rnd = new Random(o.seed ?? 1);
  }

  private get opts(): ContactCenterOptions {
    return typeof this.options === 'string' ? { secret: this.options } : this.options;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/tasks`;
  }

  /** Requests answered 2xx, one per distinct Idempotency-Key. */
  get accepted(): ReceivedTask[] {
    const seen = new Set<string>();
    return this.received.filter((r) => {
      const key = String(r.headers['idempotency-key']);
      if (r.status >= 300 || seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }

  private keys(): Buffer[] {
    const secrets = typeof this.opts.secret === 'string' ? [this.opts.secret] : this.opts.secret;
    return secrets.map((s) => Buffer.from(s.replace(/^whsec_/, ''), 'base64'));
  }

  /** Signs a callback the way the gateway signs tasks (Standard Webhooks), with the first secret. */
  sign(id: string, body: string, timestampS = Math.floor(Date.now() / 1000)): Record<string, string> {
    const [key] = this.keys();
    if (key === undefined) throw new Error('the contact-center simulator has no secret');
    const sig = createHmac('sha256', key).update(`${id}.${timestampS}.${body}`).digest('base64');
    return { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(timestampS), 'webhook-signature': `v1,${sig}` };
  }

  verify(headers: IncomingHttpHeaders, body: string): boolean {
    const id = headers['webhook-id'];
    const ts = headers['webhook-timestamp'];
    const sigs = headers['webhook-signature'];
    if (typeof id !== 'string' || typeof ts !== 'string' || typeof sigs !== 'string') return false;
    if (Math.abs(Date.now() / 1000 - Number(ts)) > 300) return false;
    const offered = sigs.split(' ').flatMap((s) => {
      const [version, value] = s.split(',');
      return version === 'v1' && value !== undefined ? [Buffer.from(value, 'base64')] : [];
    });
    return this.keys().some((key) => {
      const expected = createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest();
      return offered.some((got) => got.length === expected.length && timingSafeEqual(got, expected));
    });
  }

  private pickOutcome(): Outcome | undefined {
    const weights = Object.entries(this.opts.outcomes ?? {}) as [Outcome, number][];
    const total = weights.reduce((n, [, w]) => n + w, 0);
    if (total <= 0) return undefined;
    let x = this.rnd.next() * total;
    for (const [o, w] of weights) {
      x -= w;
      if (x <= 0) return o;
    }
    return weights.at(-1)?.[0];
  }

  private async report(taskId: string): Promise<void> {
    const outcome = this.pickOutcome();
    const url = this.callbackUrl;
    if (outcome === undefined || url === undefined) return;
    const slot = outcome === 'booked' ? { start: Date.now() + 86_400_000, end: Date.now() + 86_400_000 + 7_200_000 } : undefined;
    const body = JSON.stringify({ taskId, outcome, ...(slot !== undefined ? { slot } : {}) });
    const res = await fetch(url, { method: 'POST', headers: this.sign(`cc-${process.pid}-${++this.callbackSeq}`, body), body }).catch(() => undefined);
    this.outcomesSent.push({ taskId, outcome, status: res?.status ?? 0 });
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.arrived++;
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const verified = this.verify(req.headers, body);
        let status = verified ? 202 : 401;
        if (verified && (this.failNext > 0 || this.rnd.chance(this.opts.failureRate ?? 0))) {
          if (this.failNext > 0) this.failNext--;
          status = this.failStatus;
        }
        const answer = (): void => {
          let json: ReceivedTask['json'];
          try {
            json = JSON.parse(body) as ReceivedTask['json'];
          } catch {
            res.writeHead(400).end();
            return;
          }
          const firstTime = status < 300 && !this.accepted.some((t) => t.headers['idempotency-key'] === req.headers['idempotency-key']);
          this.received.push({ headers: req.headers, body, json, verified, status, at: Date.now() });
          const retryAfter = status >= 300 && this.retryAfter !== undefined ? { 'retry-after': this.retryAfter } : {};
          res.writeHead(status, { 'content-type': 'application/json', ...retryAfter }).end(JSON.stringify({ ok: status < 300 }));
          if (firstTime) void this.report(json.data.taskId);
        };
        if (this.delayMs > 0) setTimeout(answer, this.delayMs);
        else answer();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  }
}
