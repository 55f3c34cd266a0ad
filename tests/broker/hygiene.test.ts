import { connect as netConnect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import type { RunningGateway } from '@forecare/gateway';
import { topics, type NoticePayload } from '@forecare/firmware-contracts';
import { api, connectHub, connectionClosed, refusedCode, startTestGateway, tempDir, until, type Api } from '../support/gateway.js';


describe('broker hygiene and identity', () => {
  let gw: RunningGateway;
  let http: Api;
  const pw: Record<string, string> = {};
  let bystander: MqttClient;
  const url = () => `mqtt://127.0.0.1:${gw.mqttPort}`;

  beforeAll(async () => {
    gw = await startTestGateway({ FORECARE_DATA_DIR: tempDir(), FORECARE_MQTT_MAX_PACKET_BYTES: '65536', FORECARE_MQTT_MAX_SUBSCRIPTIONS: '4', FORECARE_LOGIN_FAILURES_PER_MINUTE: '5' });
    http = api(gw);
    for (const hubId of ['hub-a', 'hub-b', 'hub-c', 'hub-d']) pw[hubId] = (await http.call<{ password: string }>('POST', '/api/v1/hubs', { hubId })).body.password;
    bystander = await connectHub(gw, 'hub-b', pw['hub-b'] ?? '');
  });

  afterAll(async () => {
    bystander?.end(true);
    await gw?.stop();
  });

  const bystanderOk = async (): Promise<void> => {
    await bystander.publishAsync(topics.heartbeat('hub-b'), JSON.stringify({ ts: Date.now(), seq: Math.floor(Math.random() * 1e9) }), { qos: 1 });
    expect(bystander.connected).toBe(true);
  };

  it('an over-size packet closes the connection before it is buffered', async () => {
    // A CONNECT announcing 10 MB: the fixed header alone is enough to refuse it.
    const socket = netConnect(gw.mqttPort, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(Buffer.from([0x10, 0x80, 0x80, 0x80, 0x05, 0x00, 0x04]));
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    // And after login: a 100 KB publish.
    const hub = await connectHub(gw, 'hub-a', pw['hub-a'] ?? '');
    const gone = connectionClosed(hub);
    hub.publish(topics.heartbeat('hub-a'), Buffer.alloc(100_000, 0x20), { qos: 1 });
    await gone;
    const metrics = await (await fetch(`http://127.0.0.1:${gw.httpPort}/metrics`)).text();
    expect(metrics).toMatch(/forecare_rejects_total\{reason="packet-too-large"\} 2/);
    await bystanderOk();
  });

  it('NUL in a client id gets CONNACK 2; a will outside the hub status topic gets CONNACK 5', async () => {
    expect(await refusedCode(mqtt.connectAsync(url(), { username: 'hub-a', password: pw['hub-a'], clientId: 'bad\u0000id', reconnectPeriod: 0, protocolVersion: 4 }))).toBe(2);
    expect(await refusedCode(mqtt.connectAsync(url(), { username: 'hub-a', password: pw['hub-a'], reconnectPeriod: 0, protocolVersion: 4, will: { topic: topics.status('hub-b'), payload: Buffer.from('{}'), qos: 1, retain: false } }))).toBe(5);
    await bystanderOk();
  });

  it('a $SYS publish disconnects; a 1,000 invalid payloads in a row each get a notice and the connection stays', async () => {
    const sys = await connectHub(gw, 'hub-a', pw['hub-a'] ?? '');
    const gone = connectionClosed(sys);
    sys.publish('$SYS/broker/uptime', 'x', { qos: 1 });
    await gone;
    const hub = await connectHub(gw, 'hub-a', pw['hub-a'] ?? '');
    const notices: NoticePayload[] = [];
    hub.on('message', (_t, p) => notices.push(JSON.parse(p.toString()) as NoticePayload));
    await hub.subscribeAsync(topics.notices('hub-a'), { qos: 1 });
    await Promise.all(Array.from({ length: 1000 }, (_, i) => hub.publishAsync(topics.telemetry('hub-a', 'fridge-1'), `{"ts": ${i}, broken`, { qos: 1 })));
    await until('1,000 notices', () => (notices.length >= 1000 ? true : undefined), 20_000);
    expect(notices.every((n) => n.code === 'GW_REJECT_NOT_JSON')).toBe(true);
    expect(hub.connected).toBe(true);
    // Every one is a dead letter the API shows, with the hub and the reason.
    const dead = await http.call<{ items: { hubId: string; reason: string }[] }>('GET', '/api/v1/dead-letters?hubId=hub-a&limit=1000');
    expect(dead.body.items.filter((d) => d.reason === 'not-json')).toHaveLength(1000);
    await bystanderOk();
    hub.end(true);
  });

  it('subscriptions past the limit get SUBACK 0x80', async () => {
    const hub = await connectHub(gw, 'hub-a', pw['hub-a'] ?? '');
    for (let i = 0; i < 4; i++) await hub.subscribeAsync(`${topics.hubPrefix('hub-a')}x${i}`, { qos: 0 });
    const refused = await hub.subscribeAsync(`${topics.hubPrefix('hub-a')}x9`, { qos: 0 }).then(
      () => undefined,
      (e: { packet?: { granted?: number[] } }) => e.packet?.granted,
    );
    expect(refused).toEqual([128]);
    expect(hub.connected).toBe(true);
    // UNSUBSCRIBE gives the slot back.
    await hub.unsubscribeAsync(`${topics.hubPrefix('hub-a')}x0`);
    expect((await hub.subscribeAsync(`${topics.hubPrefix('hub-a')}x9`, { qos: 0 }))[0]?.qos).toBe(0);
    hub.end(true);
  });

  it('a client id belongs to the identity holding it: another hub can neither take the connection over nor the session', async () => {
    const a = await connectHub(gw, 'hub-a', pw['hub-a'] ?? '', { clientId: 'shared-1' });
    expect(await refusedCode(connectHub(gw, 'hub-b', pw['hub-b'] ?? '', { clientId: 'shared-1' }))).toBe(2);
    await a.publishAsync(topics.heartbeat('hub-a'), JSON.stringify({ ts: Date.now(), seq: 77_001 }), { qos: 1 });
    expect(a.connected).toBe(true);
    // The same hub may take its own id over (a reconnect before the old connection timed out).
    const gone = connectionClosed(a);
    const a2 = await connectHub(gw, 'hub-a', pw['hub-a'] ?? '', { clientId: 'shared-1' });
    await gone;
    a2.end(true);
    // A persistent session stays the hub's while it is away.
    const p = await connectHub(gw, 'hub-a', pw['hub-a'] ?? '', { clientId: 'persist-1', clean: false });
    await p.subscribeAsync(topics.notices('hub-a'), { qos: 1 });
    await p.endAsync();
    expect(await refusedCode(connectHub(gw, 'hub-b', pw['hub-b'] ?? '', { clientId: 'persist-1', clean: false }))).toBe(2);
    expect(await refusedCode(connectHub(gw, 'hub-b', pw['hub-b'] ?? '', { clientId: 'persist-1', clean: true }))).toBe(2);
    const back = await connectHub(gw, 'hub-a', pw['hub-a'] ?? '', { clientId: 'persist-1', clean: false });
    // Its clean reconnect ends the session and frees the id.
    await back.endAsync();
    const cleanA = await connectHub(gw, 'hub-a', pw['hub-a'] ?? '', { clientId: 'persist-1', clean: true });
    await cleanA.endAsync();
    await until('the id is released', async () => {
      const b = await connectHub(gw, 'hub-b', pw['hub-b'] ?? '', { clientId: 'persist-1' }).catch(() => undefined);
      b?.end(true);
      return b !== undefined ? true : undefined;
    });
    await bystanderOk();
  });

  it('failed logins are rate-limited per hub id and address, with a metric, and other hubs are unaffected', async () => {
    for (let i = 0; i < 5; i++) expect(await refusedCode(mqtt.connectAsync(url(), { username: 'hub-c', password: 'guess', reconnectPeriod: 0, protocolVersion: 4 }))).toBe(4);
    // Even the right password is refused from that address while the limit holds.
    expect(await refusedCode(mqtt.connectAsync(url(), { username: 'hub-c', password: pw['hub-c'], reconnectPeriod: 0, protocolVersion: 4 }))).toBe(5);
    const metrics = await (await fetch(`http://127.0.0.1:${gw.httpPort}/metrics`)).text();
    expect(metrics).toMatch(/forecare_login_failures_total\{reason="rate-limited-pair"\} 1/);
    const d = await connectHub(gw, 'hub-d', pw['hub-d'] ?? '');
    expect(d.connected).toBe(true);
    d.end(true);
  });

  it('rotation drops the connection and the old password; revocation refuses the hub', async () => {
    const hub = await connectHub(gw, 'hub-d', pw['hub-d'] ?? '');
    const gone = connectionClosed(hub);
    const rotated = await http.call<{ password: string }>('POST', '/api/v1/hubs/hub-d/rotate', {});
    expect(rotated.status).toBe(200);
    await gone;
    expect(await refusedCode(mqtt.connectAsync(url(), { username: 'hub-d', password: pw['hub-d'], reconnectPeriod: 0, protocolVersion: 4 }))).toBe(4);
    const again = await connectHub(gw, 'hub-d', rotated.body.password);
    const dropped = connectionClosed(again);
    expect((await http.call('DELETE', '/api/v1/hubs/hub-d')).status).toBe(204);
    await dropped;
    expect(await refusedCode(mqtt.connectAsync(url(), { username: 'hub-d', password: rotated.body.password, reconnectPeriod: 0, protocolVersion: 4 }))).toBe(4);
    await bystanderOk();
  });
});

describe('failed logins from one source address', () => {
  let gw: RunningGateway;
  let pw = '';
  let otherPassword = '';
  let bystander: MqttClient;

  beforeAll(async () => {
    // 2 per hub id and minute, so 10 per source address.
    gw = await startTestGateway({ FORECARE_DATA_DIR: tempDir(), FORECARE_LOGIN_FAILURES_PER_MINUTE: '2' });
    const http = api(gw);
    pw = (await http.call<{ password: string }>('POST', '/api/v1/hubs', { hubId: 'hub-s' })).body.password;
    otherPassword = (await http.call<{ password: string }>('POST', '/api/v1/hubs', { hubId: 'hub-t' })).body.password;
    bystander = await connectHub(gw, 'hub-t', otherPassword);
  });

  afterAll(async () => {
    bystander?.end(true);
    await gw?.stop();
  });

  it('are rate-limited per source across many hub ids, with a metric; connections already up are untouched', async () => {
    const url = `mqtt://127.0.0.1:${gw.mqttPort}`;
    // One failure each for ten hub ids: under every per-hub limit, at the per-source one.
    for (let i = 0; i < 10; i++) expect(await refusedCode(mqtt.connectAsync(url, { username: `hub-guess-${i}`, password: 'guess', reconnectPeriod: 0, protocolVersion: 4 }))).toBe(4);
    expect(await refusedCode(mqtt.connectAsync(url, { username: 'hub-s', password: pw, reconnectPeriod: 0, protocolVersion: 4 }))).toBe(5);
    const metrics = await (await fetch(`http://127.0.0.1:${gw.httpPort}/metrics`)).text();
    expect(metrics).toMatch(/forecare_login_failures_total\{reason="rate-limited-source"\} 1/);
    expect(metrics).toMatch(/forecare_login_failures_total\{reason="bad-credentials"\} 10/);
    await bystander.publishAsync(topics.heartbeat('hub-t'), JSON.stringify({ ts: Date.now(), seq: 1 }), { qos: 1 });
    expect(bystander.connected).toBe(true);
  });

  it('a hub that logged in from that address lately still gets in while the address is held back (hubs behind one NAT)', async () => {
    const url = `mqtt://127.0.0.1:${gw.mqttPort}`;
    expect(await refusedCode(mqtt.connectAsync(url, { username: 'hub-s', password: pw, reconnectPeriod: 0, protocolVersion: 4 }))).toBe(5);
    // hub-t connected from 127.0.0.1 before the guesses: a second session of it is let in.
    const again = await mqtt.connectAsync(url, { username: 'hub-t', password: otherPassword, clientId: 'hub-t-second', reconnectPeriod: 0, protocolVersion: 4 });
    expect(again.connected).toBe(true);
    await again.endAsync(true);
    // A wrong password for it still counts, and the address stays held back for everyone else.
    expect(await refusedCode(mqtt.connectAsync(url, { username: 'hub-t', password: 'wrong', reconnectPeriod: 0, protocolVersion: 4 }))).toBe(4);
    expect(await refusedCode(mqtt.connectAsync(url, { username: 'hub-guess-99', password: 'guess', reconnectPeriod: 0, protocolVersion: 4 }))).toBe(5);
  });
});
