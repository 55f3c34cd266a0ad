import { statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '@forecare/gateway';
import { topics } from '@forecare/firmware-contracts';
import { api, connectHub, sleep, startTestGateway, tempDir, until } from '../support/gateway.js';
import { adminCall, kill, spawnGateway, type GatewayProcess } from '../support/process.js';

const HUBS = ['hub-w1', 'hub-w2', 'hub-w3', 'hub-w4', 'hub-w5'];

/** A hub as firmware connects it: its last will is its retained status offline. */
function connectWithWill(port: number, hubId: string, password: string): Promise<MqttClient> {
  return mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
    username: hubId,
    password,
    clientId: hubId,
    protocolVersion: 4,
    reconnectPeriod: 0,
    will: { topic: topics.status(hubId), payload: Buffer.from(JSON.stringify({ state: 'offline', ts: Date.now() })), qos: 1, retain: true },
  });
}

async function comeOnline(hub: MqttClient, hubId: string, seq: number): Promise<void> {
  await hub.publishAsync(topics.status(hubId), JSON.stringify({ state: 'online', ts: Date.now() }), { qos: 1, retain: true });
  await hub.publishAsync(topics.heartbeat(hubId), JSON.stringify({ ts: Date.now(), seq }), { qos: 1 });
}

describe('a gateway restart is not every hub leaving (issue 19, item 11)', () => {
  const running: GatewayProcess[] = [];
  const clients: MqttClient[] = [];
  afterAll(async () => {
    for (const c of clients) c.end(true);
    for (const gw of running) await kill(gw, 'SIGKILL');
  });

  it('SIGTERM with five hubs connected journals no last will, and the restart opens no alarm and no ticket', async () => {
    const dataDir = tempDir();
    const first = await spawnGateway(dataDir);
    running.push(first);
    const passwords = new Map<string, string>();
    for (const hubId of HUBS) passwords.set(hubId, (await adminCall<{ password: string }>(first, 'POST', '/api/v1/hubs', { hubId })).password);
    for (const hubId of HUBS) {
      const hub = await connectWithWill(first.mqttPort, hubId, passwords.get(hubId) ?? '');
      hub.on('error', () => undefined);
      clients.push(hub);
      await comeOnline(hub, hubId, 1);
    }
    await kill(first, 'SIGTERM');
    expect(first.child.exitCode).toBe(0);

    const journal = new Database(join(dataDir, 'journal.db'), { readonly: true });
    const statuses = journal.prepare("SELECT hub_id, payload FROM journal WHERE kind = 'status'").all() as { hub_id: string; payload: Buffer }[];
    journal.close();
    expect(statuses.filter((s) => s.payload.toString().includes('offline')).map((s) => s.hub_id)).toEqual([]);
    expect(statuses).toHaveLength(HUBS.length);
    // The five password checks are kept for the restart (hubs/verified-file.ts): 8-byte mark, count, 64 bytes each, seal.
    const kept = statSync(join(dataDir, 'verified-hub-passwords'));
    expect(kept.size).toBe(8 + 4 + HUBS.length * 64 + 32);
    expect(kept.mode & 0o777).toBe(0o600);

    const second = await spawnGateway(dataDir);
    running.push(second);
    for (const hubId of HUBS) {
      const hub = await connectWithWill(second.mqttPort, hubId, passwords.get(hubId) ?? '');
      hub.on('error', () => undefined);
      clients.push(hub);
      await comeOnline(hub, hubId, 2);
    }
    await sleep(1000); // a few rule ticks after the hubs are back
    const alarms = await adminCall<{ items: { ruleId: string; hubId: string }[] }>(second, 'GET', '/api/v1/alarms?all=true');
    expect(alarms.items.filter((a) => a.ruleId === 'hub-offline')).toEqual([]);
    expect((await adminCall<{ items: unknown[] }>(second, 'GET', '/api/v1/tickets')).items).toEqual([]);
  }, 60_000);
});

describe('a hub-offline ticket whose hub is back before anyone acted closes by itself (issue 19, item 11)', () => {
  let gw: RunningGateway;
  const clients: MqttClient[] = [];
  afterAll(async () => {
    for (const c of clients) c.end(true);
    await gw?.stop();
  });

  interface TicketJson {
    ticketId: string;
    status: string;
    hubId: string;
    applianceId: string | null;
    assignee: string | null;
  }

  it('closes the open, unassigned one with a note; leaves the one a dispatcher took', async () => {
    gw = await startTestGateway({ FORECARE_DATA_DIR: tempDir(), FORECARE_HUB_OFFLINE_AFTER: '1500ms' });
    const http = api(gw);
    const hubs: MqttClient[] = [];
    for (const hubId of ['hub-back', 'hub-taken']) {
      const { password } = (await http.call<{ password: string }>('POST', '/api/v1/hubs', { hubId })).body;
      const hub = await connectHub(gw, hubId, password);
      clients.push(hub);
      hubs.push(hub);
      await comeOnline(hub, hubId, 1);
    }
    // Both go silent past FORECARE_HUB_OFFLINE_AFTER: one ticket each.
    const opened = await until('both hub-offline tickets', async () => {
      const t = (await http.call<{ items: TicketJson[] }>('GET', '/api/v1/tickets')).body.items;
      return t.length >= 2 ? t : undefined;
    });
    const byHub = new Map(opened.map((t) => [t.hubId, t]));
    const back = byHub.get('hub-back') as TicketJson;
    const taken = byHub.get('hub-taken') as TicketJson;
    expect(back).toMatchObject({ status: 'open', applianceId: null });
    // A dispatcher acts on one of them before its hub returns.
    expect((await http.call('POST', `/api/v1/tickets/${taken.ticketId}/transition`, { to: 'assigned', assignee: 'tech-7', by: 'dispatcher-1' })).status).toBe(200);

    await comeOnline(hubs[0] as MqttClient, 'hub-back', 2);
    await comeOnline(hubs[1] as MqttClient, 'hub-taken', 2);
    const closed = await until('the untouched ticket to close by itself', async () => {
      const t = (await http.call<TicketJson & { events: { type: string; toStatus: string | null; note: string | null; by: string }[] }>('GET', `/api/v1/tickets/${back.ticketId}`)).body;
      return t.status === 'closed' ? t : undefined;
    });
    const last = closed.events.at(-1);
    expect(last).toMatchObject({ toStatus: 'closed', by: 'system' });
    expect(last?.note).toMatch(/back online/);
    await sleep(500);
    const stillTaken = (await http.call<TicketJson>('GET', `/api/v1/tickets/${taken.ticketId}`)).body;
    expect(stillTaken).toMatchObject({ status: 'assigned', assignee: 'tech-7' });
    // The alarms did clear: the hubs are back.
    const alarms = (await http.call<{ items: { hubId: string; status: string }[] }>('GET', '/api/v1/alarms?all=true')).body.items;
    expect(alarms.map((a) => a.status)).toEqual(['cleared', 'cleared']);
  }, 30_000);
});
