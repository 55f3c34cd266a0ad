import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { topics } from '@forecare/firmware-contracts';
import { ADMIN_TOKEN, tempDir, until } from '../support/gateway.js';
import { kill, spawnGateway, type GatewayProcess } from '../support/process.js';
import { openSse, type SseClient, type SseFrame } from '../support/sse.js';

const HUB = 'hub-live';

async function call<T>(gw: GatewayProcess, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`http://127.0.0.1:${gw.httpPort}${path}`, { method, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  return { status: res.status, body: (await res.json()) as T };
}

const ids = (frames: readonly SseFrame[]): number[] => frames.map((f) => f.id ?? NaN);
const ticketOf = (frames: readonly SseFrame[]): string => String(frames.find((f) => f.event === 'ticket')?.data.ticketId);

describe('live events resume from Last-Event-ID, across a gateway restart (issue 19, item 14)', () => {
  const dataDir = tempDir();
  const running: GatewayProcess[] = [];
  const clients: SseClient[] = [];
  let hub: MqttClient | undefined;
  afterAll(async () => {
    hub?.end(true);
    for (const c of clients) c.close();
    for (const gw of running) await kill(gw, 'SIGKILL');
  });

  it('sends what was raised while the client was away — before and after a restart — once each, then live', async () => {
    const first = await spawnGateway(dataDir);
    running.push(first);
    const { password } = (await call<{ password: string }>(first, 'POST', '/api/v1/hubs', { hubId: HUB })).body;
    const watcher = await openSse(first.httpPort);
    clients.push(watcher);
    hub = await mqtt.connectAsync(`mqtt://127.0.0.1:${first.mqttPort}`, { username: HUB, password, clientId: HUB, protocolVersion: 4, reconnectPeriod: 0 });
    hub.on('error', () => undefined);
    await hub.publishAsync(topics.fault(HUB, 'fridge-1'), JSON.stringify({ ts: Date.now(), seq: 1, type: 'refrigerator', code: 'E-CMP-01', active: true }), { qos: 1 });
    const seen = await until('the alarm and its ticket, live', () => (watcher.frames.some((f) => f.event === 'ticket') ? [...watcher.frames] : undefined));
    const ticketId = ticketOf(seen);
    const lastSeen = Math.max(...ids(seen));
    expect(ids(seen).every((id) => Number.isInteger(id) && id > 0)).toBe(true);
    watcher.close();
    await watcher.ended;

    // While the client is away: a dispatcher assigns the ticket, another appliance faults; then the gateway restarts.
    expect((await call(first, 'POST', `/api/v1/tickets/${ticketId}/transition`, { to: 'assigned', assignee: 'tech-1', by: 'd1' })).status).toBe(200);
    await hub.publishAsync(topics.fault(HUB, 'washer-1'), JSON.stringify({ ts: Date.now(), seq: 1, type: 'washer', code: 'E-DRN-01', active: true }), { qos: 1 });
    await until('the washer alarm to commit', async () => ((await call<{ items: { applianceId: string }[] }>(first, 'GET', '/api/v1/alarms')).body.items.some((a) => a.applianceId === 'washer-1') ? true : undefined));
    hub.end(true);
    await kill(first, 'SIGTERM');
    const second = await spawnGateway(dataDir);
    running.push(second);
    expect((await call(second, 'POST', `/api/v1/tickets/${ticketId}/transition`, { to: 'scheduled', slotStart: Date.now() + 86_400_000, slotEnd: Date.now() + 90_000_000, by: 'd1' })).status).toBe(200);

    const back = await openSse(second.httpPort, { lastEventId: String(lastSeen) });
    clients.push(back);
    const missed = await until('what was missed', () => (back.frames.filter((f) => f.event === 'ticket' && f.data.status === 'scheduled').length > 0 ? [...back.frames] : undefined));
    expect(missed.map((f) => f.event)).toEqual(['ticket', 'alarm', 'ticket', 'ticket']);
    expect(missed.map((f) => f.data.status ?? f.data.transition)).toEqual(['assigned', 'raised', 'open', 'scheduled']);
    expect(missed[1]?.data.applianceId).toBe('washer-1');
    // Ids keep growing across the restart, none is sent twice, none from before the client left.
    const got = ids(missed);
    expect(got.every((id, i) => id > lastSeen && (i === 0 || id > (got[i - 1] as number)))).toBe(true);

    // Then live: the next change once, after the replayed ones.
    expect((await call(second, 'POST', `/api/v1/tickets/${ticketId}/transition`, { to: 'in_progress', by: 'd1' })).status).toBe(200);
    await until('the live event', () => (back.frames.some((f) => f.data.status === 'in_progress') ? true : undefined));
    expect(back.frames).toHaveLength(5);
    expect(new Set(ids(back.frames)).size).toBe(5);

    // A client that cannot set headers names the id in the query; the header wins when both are sent (EventSource's reconnects).
    const byQuery = await openSse(second.httpPort, { query: `?lastEventId=${lastSeen}` });
    const both = await openSse(second.httpPort, { query: '?lastEventId=0', lastEventId: String(got[2]) });
    clients.push(byQuery, both);
    await until('the query client to catch up', () => (byQuery.frames.length >= 5 ? true : undefined));
    expect(ids(byQuery.frames)).toEqual(ids(back.frames));
    await until('the header client to catch up', () => (both.frames.length >= 2 ? true : undefined));
    expect(ids(both.frames)).toEqual(ids(back.frames).slice(3));
  }, 60_000);

  it('answers an id it never issued with a reset event, and a malformed one with a 400 problem', async () => {
    const gw = running.at(-1) as GatewayProcess;
    const future = await openSse(gw.httpPort, { lastEventId: '999999999' });
    clients.push(future);
    await until('the reset', () => (future.frames.length > 0 ? true : undefined));
    expect(future.frames[0]).toMatchObject({ event: 'reset', data: { lastEventId: 999999999 } });
    const latest = future.frames[0]?.id;
    expect(latest).toBeGreaterThan(0);
    for (const bad of ['abc', '-1', '1e3', '12345678901234567890']) {
      const res = await fetch(`http://127.0.0.1:${gw.httpPort}/api/v1/events`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'last-event-id': bad } });
      expect(res.status, bad).toBe(400);
      expect(((await res.json()) as { code: string }).code).toBe('GW_ERR_VALIDATION');
    }
  });
});
