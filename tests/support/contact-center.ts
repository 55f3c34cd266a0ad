import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedTask {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly json: { type: string; timestamp: string; data: Record<string, unknown> & { taskId: string; purpose: string } };
  readonly verified: boolean;
  readonly status: number;
  readonly at: number;
}

/**
 * A real HTTP contact center stand-in. It checks every Standard Webhooks signature with its
 * own HMAC code (not the gateway's), answers 500 for the next `failNext` requests, and
 * remembers every request and which Idempotency-Keys it has accepted.
 */
export class ContactCenterStandIn {
  readonly received: ReceivedTask[] = [];
  failNext = 0;
  /** Answer this long after the request arrived (to keep tasks in flight). */
  delayMs = 0;
  private server: Server | undefined;
  private port = 0;

  constructor(private readonly secret: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/tasks`;
  }

  /** Signs a callback to the gateway the way a contact center would (Standard Webhooks). */
  sign(id: string, body: string, timestampS = Math.floor(Date.now() / 1000)): Record<string, string> {
    const key = Buffer.from(this.secret.replace(/^whsec_/, ''), 'base64');
    const sig = createHmac('sha256', key).update(`${id}.${timestampS}.${body}`).digest('base64');
    return { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(timestampS), 'webhook-signature': `v1,${sig}` };
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

  verify(headers: IncomingHttpHeaders, body: string): boolean {
    const id = headers['webhook-id'];
    const ts = headers['webhook-timestamp'];
    const sigs = headers['webhook-signature'];
    if (typeof id !== 'string' || typeof ts !== 'string' || typeof sigs !== 'string') return false;
    if (Math.abs(Date.now() / 1000 - Number(ts)) > 300) return false;
    const key = Buffer.from(this.secret.replace(/^whsec_/, ''), 'base64');
    const expected = createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest();
    return sigs.split(' ').some((s) => {
      const [version, value] = s.split(',');
      if (version !== 'v1' || value === undefined) return false;
      const got = Buffer.from(value, 'base64');
      return got.length === expected.length && timingSafeEqual(got, expected);
    });
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const verified = this.verify(req.headers, body);
        let status = verified ? 202 : 401;
        if (verified && this.failNext > 0) {
          this.failNext--;
          status = 500;
        }
        const answer = (): void => {
          this.received.push({ headers: req.headers, body, json: JSON.parse(body) as ReceivedTask['json'], verified, status, at: Date.now() });
          res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: status < 300 }));
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
