import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../support/gateway.js';
import { startNodeRed, type NodeRedProcess } from '../support/node-red.js';

/**
 * The forecare events node against a stand-in event stream that writes what the SSE
 * specification allows and the gateway does not (yet) send: CRLF line ends, data over several
 * lines, comments, retry, events split across chunks, and a dropped connection.
 */
describe('forecare-events parses a server-sent event stream by the specification (eventsource-parser)', () => {
  let nodeRed: NodeRedProcess;
  let server: Server;
  const requests: IncomingHttpHeaders[] = [];
  const streams: ServerResponse[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(req.headers);
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      res.write(': hello\r\n\r\n');
      streams.push(res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    nodeRed = await startNodeRed();
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await nodeRed.deploy([
      { id: 'tab', type: 'tab', label: 'sse' },
      { id: 'cfg', type: 'forecare-config', url, name: 'stand-in', credentials: { token: 'tok-123' } },
      { id: 'events', type: 'forecare-events', z: 'tab', server: 'cfg', types: 'alarm,ticket', wires: [['sink']] },
      { id: 'sink', type: 'debug', z: 'tab', active: false, wires: [] },
    ]);
    await until('the events node to connect', () => (nodeRed.connected.has('events') ? true : undefined), 15_000);
  }, 60_000);

  afterAll(async () => {
    for (const s of streams) s.destroy();
    await nodeRed?.stop();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });

  const received = (): { topic: unknown; eventId: unknown; payload: unknown }[] =>
    nodeRed.sent.filter((e) => e.source === 'events').map((e) => ({ topic: e.msg.topic, eventId: e.msg.eventId, payload: e.msg.payload }));

  it('reads CRLF and LF, multi-line data, ids and comments, across chunk borders; skips other types and unreadable data', async () => {
    expect(requests[0]?.authorization).toBe('Bearer tok-123');
    expect(requests[0]?.accept).toBe('text/event-stream');
    const stream = streams[0];
    if (stream === undefined) throw new Error('no stream');
    stream.write('id: 1\r\nevent: alarm\r\ndata: {"alarmKey":\r\ndata: "h/f/warm"}\r\n\r\n');
    stream.write(': keep-alive comment\n\nid: 2\nevent: contact\ndata: {"skipped":true}\n\n');
    stream.write('id: 3\nevent: ticket\ndata: not json\n\n');
    // One event in three chunks, the split inside a line end.
    stream.write('id: 4\nevent: ticket\ndata: {"ticketId":"t-9",');
    stream.write('"status":"open"}\r');
    stream.write('\n\r\n');
    await until('two events', () => (received().length >= 2 ? true : undefined), 10_000);
    expect(received()).toEqual([
      { topic: 'alarm', eventId: '1', payload: { alarmKey: 'h/f/warm' } },
      { topic: 'ticket', eventId: '4', payload: { ticketId: 't-9', status: 'open' } },
    ]);
  });

  it('reconnects after the stream drops, sending Last-Event-ID (a retry field on the way)', async () => {
    const stream = streams[0];
    if (stream === undefined) throw new Error('no stream');
    stream.write('retry: 200\n\n');
    stream.destroy();
    await until('the reconnect', () => (requests.length >= 2 ? true : undefined), 10_000);
    expect(requests[1]?.['last-event-id']).toBe('4');
    await until('connected again', () => (nodeRed.connected.has('events') ? true : undefined), 10_000);
    streams[1]?.write('id: 5\nevent: alarm\ndata: {"n":5}\n\n');
    await until('the event after the reconnect', () => (received().some((e) => e.eventId === '5') ? true : undefined), 10_000);
  });
});
