import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import type { RunningGateway } from '@forecare/gateway';
import { topics } from '@forecare/firmware-contracts';
import { api, connectHub, connectionClosed, refusedCode, startTestGateway, tempDir, until, type Api } from '../support/gateway.js';

interface Credentials {
  name: string;
  role: string;
  username: string;
  password: string;
}

const granted = (client: MqttClient, filter: string): Promise<number[]> =>
  client.subscribeAsync(filter, { qos: 1 }).then(
    (g) => g.map((x) => x.qos),
    (e: { packet?: { granted?: number[] } }) => e.packet?.granted ?? [-1],
  );
const metric = async (gw: RunningGateway, pattern: RegExp): Promise<number> => Number(pattern.exec(await (await fetch(`http://127.0.0.1:${gw.httpPort}/metrics`)).text())?.[1] ?? 0);

describe('service and admin MQTT accounts: read-only roles beside the hubs', () => {
  let gw: RunningGateway;
  let http: Api;
  let hubPw = '';
  let service: Credentials;
  let admin: Credentials;
  const url = (): string => `mqtt://127.0.0.1:${gw.mqttPort}`;
  const connectAs = (c: { username: string; password: string }, extra: mqtt.IClientOptions = {}): Promise<MqttClient> =>
    mqtt.connectAsync(url(), { username: c.username, password: c.password, reconnectPeriod: 0, protocolVersion: 4, connectTimeout: 5000, ...extra });

  beforeAll(async () => {
    gw = await startTestGateway({ FORECARE_DATA_DIR: tempDir() });
    http = api(gw);
    hubPw = (await http.call<{ password: string }>('POST', '/api/v1/hubs', { hubId: 'hub-r' })).body.password;
    service = (await http.call<Credentials>('POST', '/api/v1/mqtt-clients', { name: 'crm-bridge', role: 'service' })).body;
    admin = (await http.call<Credentials>('POST', '/api/v1/mqtt-clients', { name: 'ops', role: 'admin' })).body;
  });

  afterAll(async () => {
    await gw?.stop();
  });

  it('accounts are provisioned through the admin API: password shown once, never listed, names unique, token required', async () => {
    expect(service).toMatchObject({ name: 'crm-bridge', role: 'service', username: 'service:crm-bridge' });
    expect(service.password.length).toBeGreaterThanOrEqual(32);
    expect(admin.username).toBe('admin:ops');
    const list = await http.call<{ items: Record<string, unknown>[] }>('GET', '/api/v1/mqtt-clients');
    expect(list.body.items.map((i) => i.username).sort()).toEqual(['admin:ops', 'service:crm-bridge']);
    expect(JSON.stringify(list.body)).not.toContain(service.password);
    expect(JSON.stringify(list.body)).not.toContain('scrypt');
    expect((await http.call<{ code: string }>('POST', '/api/v1/mqtt-clients', { name: 'crm-bridge', role: 'admin' })).body.code).toBe('GW_ERR_MQTT_CLIENT_EXISTS');
    expect((await http.call('POST', '/api/v1/mqtt-clients', { name: 'x', role: 'hub' })).status).toBe(400);
    expect((await http.call('POST', '/api/v1/mqtt-clients', { name: 'x', role: 'service' }, null)).status).toBe(401);
    expect((await http.call('GET', '/api/v1/mqtt-clients', undefined, null)).status).toBe(401);
    // A console user below admin may neither list nor create accounts.
    expect((await http.call('POST', '/api/v1/users', { username: 'dispatch-1', role: 'dispatcher', password: 'dispatch-1-password-123' })).status).toBe(201);
    const session = await http.call<{ token: string }>('POST', '/api/v1/session', { username: 'dispatch-1', password: 'dispatch-1-password-123' }, null);
    expect((await http.call<{ code: string }>('GET', '/api/v1/mqtt-clients', undefined, session.body.token)).body.code).toBe('GW_ERR_FORBIDDEN');
    expect((await http.call('POST', '/api/v1/mqtt-clients', { name: 'sneaky', role: 'admin' }, session.body.token)).status).toBe(403);
  });

  it('a service reads the fleet tree (wildcards included) and sees hub traffic, but not $SYS or filters reaching outside forecare/v1/', async () => {
    const svc = await connectAs(service);
    expect(await granted(svc, 'forecare/v1/+/notices')).toEqual([1]);
    expect(await granted(svc, 'forecare/v1/#')).toEqual([1]);
    expect(await granted(svc, '$SYS/#')).toEqual([128]);
    expect(await granted(svc, '#')).toEqual([128]);
    expect(await granted(svc, '+/v1/#')).toEqual([128]);
    const seen: string[] = [];
    svc.on('message', (topic) => seen.push(topic));
    const hub = await connectHub(gw, 'hub-r', hubPw);
    await hub.publishAsync(topics.heartbeat('hub-r'), JSON.stringify({ ts: Date.now(), seq: 1 }), { qos: 1 });
    await until('the service sees the heartbeat', () => (seen.includes(topics.heartbeat('hub-r')) ? true : undefined));
    expect(svc.connected).toBe(true);
    hub.end(true);
    svc.end(true);
  });

  it('a message ingest refused is acknowledged to the hub but forwarded to no subscriber and not retained; the valid one after it is', async () => {
    const svc = await connectAs(service);
    expect(await granted(svc, 'forecare/v1/#')).toEqual([1]);
    const seen: { topic: string; payload: string }[] = [];
    svc.on('message', (topic, payload) => seen.push({ topic, payload: payload.toString() }));
    const hub = await connectHub(gw, 'hub-r', hubPw);
    // A status that breaks the contract, retained as hubs send it; then a valid heartbeat.
    await hub.publishAsync(topics.status('hub-r'), '{"state":"sideways"}', { qos: 1, retain: true });
    await hub.publishAsync(topics.heartbeat('hub-r'), JSON.stringify({ ts: Date.now(), seq: 50 }), { qos: 1 });
    await until('the service sees the heartbeat', () => (seen.some((m) => m.topic === topics.heartbeat('hub-r')) ? true : undefined));
    expect(seen.filter((m) => m.topic === topics.status('hub-r'))).toEqual([]);
    // A subscriber arriving later gets no retained copy of the refused status.
    const late = await connectAs(service);
    const retained: string[] = [];
    late.on('message', (topic, payload) => retained.push(payload.toString()));
    expect(await granted(late, topics.status('hub-r'))).toEqual([1]);
    await new Promise((r) => setTimeout(r, 300));
    expect(retained).not.toContain('{"state":"sideways"}');
    hub.end(true);
    svc.end(true);
    late.end(true);
  });

  it('an admin reads everything, $SYS/# included', async () => {
    const adm = await connectAs(admin);
    expect(await granted(adm, '$SYS/#')).toEqual([1]);
    expect(await granted(adm, '#')).toEqual([1]);
    const seen: string[] = [];
    adm.on('message', (topic) => seen.push(topic));
    const hub = await connectHub(gw, 'hub-r', hubPw);
    await until('the admin sees the broker announce the new client on $SYS', () => (seen.some((t) => t.startsWith('$SYS/') && t.endsWith('/new/clients')) ? true : undefined));
    hub.end(true);
    adm.end(true);
  });

  it('neither role may publish — not to a hub topic, not to $SYS — and nothing of theirs reaches the journal', async () => {
    const journaled = async (): Promise<number> => metric(gw, /forecare_messages_in_total\{kind="heartbeat"\} (\d+)/);
    const before = await journaled();
    for (const [creds, topic] of [[service, topics.heartbeat('hub-r')], [admin, topics.heartbeat('hub-r')], [service, '$SYS/forecare/heartbeat'], [admin, '$SYS/forecare/heartbeat']] as const) {
      const c = await connectAs(creds);
      const gone = connectionClosed(c);
      c.publish(topic, JSON.stringify({ ts: Date.now(), seq: 999_000 + Math.floor(Math.random() * 1000) }), { qos: 1 });
      await gone;
    }
    expect(await journaled()).toBe(before);
    expect(await metric(gw, /forecare_rejects_total\{reason="read-only-role"\} (\d+)/)).toBe(4);
  });

  it('a read-only role may not set a last will (a will is a publish) or keep a persistent session (unbounded offline queue): CONNACK 5', async () => {
    expect(await refusedCode(connectAs(service, { will: { topic: topics.status('hub-r'), payload: Buffer.from('{}'), qos: 1, retain: false } }))).toBe(5);
    expect(await refusedCode(connectAs(admin, { clean: false, clientId: 'ops-laptop' }))).toBe(5);
    expect(await refusedCode(connectAs(service, { clean: true, clientId: 'crm-1' }))).toBeUndefined();
  });

  it('a wrong password, the wrong role prefix or an unknown account gets CONNACK 4', async () => {
    expect(await refusedCode(connectAs({ username: service.username, password: 'wrong' }))).toBe(4);
    expect(await refusedCode(connectAs({ username: 'admin:crm-bridge', password: service.password }))).toBe(4);
    expect(await refusedCode(connectAs({ username: 'service:nobody', password: service.password }))).toBe(4);
    // A hub id never has a colon, so a hub cannot log in as an account or the reverse.
    expect(await refusedCode(connectAs({ username: 'service:hub-r', password: hubPw }))).toBe(4);
  });

  it('rotation drops the live connection and the old password; revocation refuses the account', async () => {
    const live = await connectAs(service);
    const gone = connectionClosed(live);
    const rotated = await http.call<Credentials>('POST', '/api/v1/mqtt-clients/crm-bridge/rotate');
    expect(rotated.status).toBe(200);
    expect(rotated.body.username).toBe('service:crm-bridge');
    await gone;
    expect(await refusedCode(connectAs(service))).toBe(4);
    const again = await connectAs(rotated.body);
    const dropped = connectionClosed(again);
    expect((await http.call('DELETE', '/api/v1/mqtt-clients/crm-bridge')).status).toBe(204);
    await dropped;
    expect(await refusedCode(connectAs(rotated.body))).toBe(4);
    expect((await http.call<{ code: string }>('DELETE', '/api/v1/mqtt-clients/nobody')).body.code).toBe('GW_ERR_MQTT_CLIENT_UNKNOWN');
    expect(await metric(gw, /forecare_mqtt_disconnects_total\{reason="credentials-changed"\} (\d+)/)).toBe(2);
  });
});
