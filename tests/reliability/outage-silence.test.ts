import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { topics } from '@forecare/firmware-contracts';
import { sleep, tempDir } from '../support/gateway.js';
import { adminCall, kill, spawnGateway, type GatewayProcess } from '../support/process.js';

// Found as a fleet would find it: the gateway was stopped for longer than a hub's silence
// period (an upgrade, a crash at night), and at its first tick after the restart it called every
// hub of the fleet offline and opened a ticket for each, while the hubs were reconnecting.
const SILENT_FOR_MS = 4_000;
const HUBS = ['hub-o1', 'hub-o2', 'hub-o3', 'hub-o4'];
const GONE = 'hub-o4'; // never comes back after the outage

async function online(port: number, hubId: string, password: string, seq: number): Promise<MqttClient> {
  const hub = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { username: hubId, password, clientId: hubId, protocolVersion: 4, reconnectPeriod: 0 });
  hub.on('error', () => undefined);
  await hub.publishAsync(topics.status(hubId), JSON.stringify({ state: 'online', ts: Date.now() }), { qos: 1, retain: true });
  await hub.publishAsync(topics.heartbeat(hubId), JSON.stringify({ ts: Date.now(), seq }), { qos: 1 });
  return hub;
}

describe('a gateway outage longer than silentFor is no hub’s silence', () => {
  const running: GatewayProcess[] = [];
  const clients: MqttClient[] = [];
  afterAll(async () => {
    for (const c of clients) c.end(true);
    for (const gw of running) await kill(gw, 'SIGKILL');
  });

  it('after the restart, hubs that reconnect raise nothing; the one that stays away raises once, from the timer', async () => {
    const dataDir = tempDir();
    const env = { FORECARE_HUB_OFFLINE_AFTER: `${SILENT_FOR_MS}ms`, FORECARE_HUB_OFFLINE_GRACE: '0ms' };
    const first = await spawnGateway(dataDir, env);
    running.push(first);
    const passwords = new Map<string, string>();
    for (const hubId of HUBS) passwords.set(hubId, (await adminCall<{ password: string }>(first, 'POST', '/api/v1/hubs', { hubId })).password);
    for (const hubId of HUBS) clients.push(await online(first.mqttPort, hubId, passwords.get(hubId) ?? '', 1));
    await sleep(500); // a few rule ticks while every hub is heard
    await kill(first, 'SIGTERM');
    await sleep(2 * SILENT_FOR_MS); // the outage: twice the silence period

    const second = await spawnGateway(dataDir, env);
    running.push(second);
    const back = HUBS.filter((h) => h !== GONE);
    const hubs = await Promise.all(back.map((hubId) => online(second.mqttPort, hubId, passwords.get(hubId) ?? '', 2)));
    clients.push(...hubs);
    // The returning hubs keep talking; the gone one's silence since the restart passes silentFor.
    for (let seq = 3; seq < 3 + (SILENT_FOR_MS + 2_000) / 500; seq++) {
      await Promise.all(hubs.map((hub, i) => hub.publishAsync(topics.heartbeat(back[i] as string), JSON.stringify({ ts: Date.now(), seq }), { qos: 1 })));
      await sleep(500);
    }
    const alarms = await adminCall<{ items: { ruleId: string; hubId: string }[] }>(second, 'GET', '/api/v1/alarms?all=true');
    const offline = alarms.items.filter((a) => a.ruleId === 'hub-offline').map((a) => a.hubId);
    expect(offline).toEqual([GONE]);
    const tickets = await adminCall<{ items: { hubId: string }[] }>(second, 'GET', '/api/v1/tickets');
    expect(tickets.items.map((t) => t.hubId)).toEqual([GONE]);
    expect(second.output()).not.toMatch(/"level":(50|60)/);
  }, 60_000);
});
