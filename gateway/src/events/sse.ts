import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Gauge } from 'prom-client';
import type { EventBus } from './bus.js';
import type { EventLog } from './event-log.js';

/** Events read from the window per page while replaying. */
const REPLAY_PAGE = 1000;
/**
 * Bytes a stream may hold unsent. A client that does not read (or is far behind in a
 * replay) is ended here rather than held in memory: it reconnects and resumes from the
 * last id it got (EventSource does so by itself).
 */
const MAX_UNSENT_BYTES = 4 * 1024 * 1024;
const PING_MS = 15_000;

function frame(id: number | undefined, type: string, data: string): string {
  return `${id !== undefined ? `id: ${id}\n` : ''}event: ${type}\ndata: ${data}\n\n`;
}

/**
 * Server-sent event streams of live changes (`GET /api/v1/events`). Each event carries its
 * durable id; a client that names the last one it got (`Last-Event-ID`, or `lastEventId` in
 * the query for clients that cannot set headers) is first sent what it missed, from the
 * window, then the live events — in one turn of the event loop, so none is missed or sent
 * twice. When the id is older than the window (or unknown: another database), a `reset`
 * event tells the client to fetch the state again. On shutdown every stream is ended, so
 * the HTTP server can close and clients resume from the next gateway.
 */
export class LiveStreams {
  private readonly open = new Set<ServerResponse>();

  private readonly log: EventLog | undefined;

  constructor(
    private readonly bus: EventBus,
    /** Open streams (forecare_live_streams). */
    private readonly gauge?: Pick<Gauge, 'inc' | 'dec'>,
  ) {
    this.log = bus.log;
  }

  serve(req: IncomingMessage, res: ServerResponse, lastEventId: number | undefined): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write('retry: 1000\n: forecare events\n\n');
    this.open.add(res);
    this.gauge?.inc();
    if (lastEventId !== undefined) this.replay(res, lastEventId);
    const send = (text: string): void => {
      if (res.writableEnded) return;
      res.write(text);
      if (res.writableLength > MAX_UNSENT_BYTES) res.end();
    };
    const unsubscribe = this.bus.subscribe((id, event) => send(frame(id, event.type, JSON.stringify(event.data))));
    const ping = setInterval(() => send(': ping\n\n'), PING_MS);
    let closed = false;
    const done = (): void => {
      if (closed) return;
      closed = true;
      clearInterval(ping);
      unsubscribe();
      this.open.delete(res);
      this.gauge?.dec();
    };
    req.once('close', done);
    res.once('close', done);
  }

  /** Writes what the client missed after `after`, or a reset when the window no longer has it. */
  private replay(res: ServerResponse, after: number): void {
    const log = this.log;
    if (log === undefined) return;
    const { oldest, latest } = log.window();
    if (after > latest || after < oldest - 1) {
      const reason = after > latest ? 'unknown event id (newer than any this gateway issued)' : 'event id older than the kept window';
      res.write(frame(latest, 'reset', JSON.stringify({ reason, lastEventId: after, oldestId: oldest, latestId: latest })));
      return;
    }
    let cursor = after;
    for (;;) {
      const rows = log.after(cursor, REPLAY_PAGE);
      for (const r of rows) res.write(frame(r.id, r.type, r.data));
      if (res.writableLength > MAX_UNSENT_BYTES) {
        res.end(); // the client resumes from the last id it got
        return;
      }
      if (rows.length < REPLAY_PAGE) return;
      cursor = (rows[rows.length - 1] as { id: number }).id;
    }
  }

  /** Streams open now. */
  get size(): number {
    return this.open.size;
  }

  /** Ends every stream (shutdown). */
  closeAll(): void {
    for (const res of this.open) res.end();
    this.open.clear();
  }
}
