import { mkdtempSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { createLogger } from '../log.js';
import { openStore } from '../store/db.js';
import { EventBus } from './bus.js';
import { EventLog } from './event-log.js';
import { LiveStreams } from './sse.js';

const logger = createLogger({ level: 'silent' });
const ticket = (n: number) => ({ type: 'ticket', data: { ticketId: `T-${n}` } }) as const;

describe('EventLog', () => {
  it('hands out ids that keep growing across pruning and reopening, never one twice', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'forecare-events-')), 'forecare.db');
    const clock = new ManualClock(1_000_000);
    let store = openStore(file);
    let log = new EventLog(store, clock, logger, { keepMax: 3 });
    const first = [1, 2, 3, 4, 5].map((n) => log.append(ticket(n)));
    expect(first).toEqual([1, 2, 3, 4, 5]);
    expect(log.prune()).toBe(2);
    expect(log.window()).toEqual({ oldest: 3, latest: 5 });
    store.close();
    store = openStore(file);
    log = new EventLog(store, clock, logger, { keepMax: 3, keepMs: 60_000 });
    expect(log.appendAll([ticket(6), ticket(7)])).toEqual([6, 7]);
    expect(log.after(4, 10).map((e) => e.id)).toEqual([5, 6, 7]);
    // By age: everything older than keepMs goes, and an empty window still knows the latest id.
    clock.advance(120_000);
    log.prune();
    expect(log.window()).toEqual({ oldest: 8, latest: 7 });
    expect(log.append(ticket(8))).toBe(8);
    store.close();
  });
});

describe('LiveStreams replay', () => {
  it('replays the window after the id it is given, and sends a reset when that id is older than the window', async () => {
    const store = openStore(':memory:');
    const log = new EventLog(store, new ManualClock(1), logger, { keepMax: 3 });
    const bus = new EventBus(log);
    for (let n = 1; n <= 6; n++) bus.publish(ticket(n));
    log.prune(); // keeps 4, 5, 6
    const streams = new LiveStreams(bus);
    const server = createServer((req, res) => streams.serve(req, res, Number(new URL(req.url ?? '/', 'http://x').searchParams.get('after'))));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const read = (after: number): Promise<string> =>
      new Promise((resolve) => {
        const req = request({ host: '127.0.0.1', port, path: `/?after=${after}` }, (res) => {
          let text = '';
          res.on('data', (d: Buffer) => {
            text += d.toString();
            if (text.includes('T-6') || text.includes('reset')) {
              req.destroy();
              resolve(text);
            }
          });
        });
        req.end();
      });
    expect(await read(3)).toMatch(/^retry: 1000\n: forecare events\n\nid: 4\nevent: ticket\ndata: \{"ticketId":"T-4"\}\n\nid: 5\n[^]*id: 6\n/);
    const reset = await read(2);
    expect(reset).toContain('id: 6\nevent: reset\n');
    expect(reset).toContain('"oldestId":4');
    expect(reset).not.toContain('T-4');
    streams.closeAll();
    server.closeAllConnections();
    server.close();
    store.close();
  });
});
