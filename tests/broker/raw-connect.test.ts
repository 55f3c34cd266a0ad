import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import type { RunningGateway } from '@forecare/gateway';
import { topics } from '@forecare/firmware-contracts';
import { api, connectHub, startTestGateway, tempDir, until, type Api } from '../support/gateway.js';
import { CLEAN, connectPacket, hubConnect, PASS, rawConnect, USER, WILL } from '../support/mqtt-raw.js';

describe('malformed CONNECTs on raw sockets are refused and the gateway keeps serving', () => {
  let gw: RunningGateway;
  let http: Api;
  let pw = '';
  let bystander: MqttClient;
  let bystanderPw = '';

  beforeAll(async () => {
    gw = await startTestGateway({ FORECARE_DATA_DIR: tempDir() });
    http = api(gw);
    pw = (await http.call<{ password: string }>('POST', '/api/v1/hubs', { hubId: 'hub-raw' })).body.password;
    bystanderPw = (await http.call<{ password: string }>('POST', '/api/v1/hubs', { hubId: 'hub-ok' })).body.password;
    bystander = await connectHub(gw, 'hub-ok', bystanderPw);
  });

  afterAll(async () => {
    bystander?.end(true);
    await gw?.stop();
  });

  const bystanderOk = async (): Promise<void> => {
    await bystander.publishAsync(topics.heartbeat('hub-ok'), JSON.stringify({ ts: Date.now(), seq: Math.floor(Math.random() * 1e9) }), { qos: 1 });
    expect(bystander.connected).toBe(true);
  };

  it('a well-formed raw CONNECT is accepted (the builder itself is right)', async () => {
    expect(await rawConnect(gw.mqttPort, connectPacket({ flags: CLEAN | USER | PASS, clientId: 'hub-raw-1', username: 'hub-raw', password: pw }))).toBe(0);
  });

  it('will QoS 3 (and 2) is refused with CONNACK 5 before any session exists', async () => {
    const res = await rawConnect(gw.mqttPort, connectPacket({ flags: CLEAN | USER | PASS | WILL | 0x18, clientId: 'hub-raw-2', will: { topic: topics.status('hub-raw'), payload: '{}' }, username: 'hub-raw', password: pw }));
    expect(res).toBe(5);
    const qos2 = await rawConnect(gw.mqttPort, connectPacket({ flags: CLEAN | USER | PASS | WILL | 0x10, clientId: 'hub-raw-2', will: { topic: topics.status('hub-raw'), payload: '{}' }, username: 'hub-raw', password: pw }));
    expect(qos2).toBe(5);
    await bystanderOk();
  });

  it('an invalid UTF-8 username is refused with a CONNACK error code', async () => {
    const res = await rawConnect(gw.mqttPort, connectPacket({ flags: CLEAN | USER | PASS, clientId: 'hub-raw-3', username: Buffer.from([0x68, 0x75, 0x62, 0xc3, 0x28]), password: pw }));
    expect(typeof res === 'number' && res !== 0).toBe(true);
    await bystanderOk();
  });

  it('NUL in a client id gets CONNACK 2 (identifier rejected)', async () => {
    expect(await rawConnect(gw.mqttPort, connectPacket({ flags: CLEAN | USER | PASS, clientId: 'hub\u0000raw', username: 'hub-raw', password: pw }))).toBe(2);
    await bystanderOk();
  });

  it('an empty client id with a persistent session gets CONNACK 2 [MQTT-3.1.3-8]', async () => {
    expect(await rawConnect(gw.mqttPort, connectPacket({ flags: USER | PASS, clientId: '', username: 'hub-raw', password: pw }))).toBe(2);
    await bystanderOk();
  });

  it('an MQTT 5 CONNECT gets CONNACK 1 (unacceptable protocol version)', async () => {
    expect(await rawConnect(gw.mqttPort, connectPacket({ level: 5, properties: true, flags: CLEAN | USER | PASS, clientId: 'hub-raw-5', username: 'hub-raw', password: pw }))).toBe(1);
    await bystanderOk();
  });

  it('a will topic with NUL, a control character or invalid UTF-8 gets CONNACK 5, even one that spells the hub status topic', async () => {
    const status = topics.status('hub-raw');
    for (const topic of [`${status}\u0000`, `${status}\u0007`, Buffer.concat([Buffer.from(status), Buffer.from([0xc3, 0x28])])]) {
      expect(await rawConnect(gw.mqttPort, hubConnect('hub-raw', pw, { flags: CLEAN | USER | PASS | WILL | 0x08, will: { topic, payload: '{}' } }))).toBe(5);
    }
    expect(await rawConnect(gw.mqttPort, hubConnect('hub-raw', pw, { flags: CLEAN | USER | PASS | WILL | 0x08, will: { topic: status, payload: '{}' } }))).toBe(0);
    await bystanderOk();
  });

  it('control characters or invalid UTF-8 in a client id get CONNACK 2, and so does one past FORECARE_MQTT_MAX_CLIENT_ID_LENGTH (128)', async () => {
    for (const clientId of ['hub\u001braw', 'hub\u0085raw', Buffer.from([0x68, 0xff, 0x62]), 'h'.repeat(129)]) {
      expect(await rawConnect(gw.mqttPort, hubConnect('hub-raw', pw, { clientId }))).toBe(2);
    }
    expect(await rawConnect(gw.mqttPort, hubConnect('hub-raw', pw, { clientId: 'h'.repeat(128) }))).toBe(0);
  });

  it('keepalive 0 and keepalive past FORECARE_MQTT_MAX_KEEPALIVE_S (1200) get CONNACK 2, not the reserved 6 of aedes [MQTT-3.2.2-6]', async () => {
    expect(await rawConnect(gw.mqttPort, hubConnect('hub-raw', pw, { keepalive: 0 }))).toBe(2);
    expect(await rawConnect(gw.mqttPort, hubConnect('hub-raw', pw, { keepalive: 1201 }))).toBe(2);
    expect(await rawConnect(gw.mqttPort, hubConnect('hub-raw', pw, { keepalive: 1200 }))).toBe(0);
    await bystanderOk();
  });

  it('invalid payloads are dead letters the API lists, with the hub, topic and reason', async () => {
    const hub = await connectHub(gw, 'hub-raw', pw);
    const topic = topics.telemetry('hub-raw', 'fridge-9');
    for (let i = 0; i < 5; i++) await hub.publishAsync(topic, `{"ts": ${i}, broken`, { qos: 1 });
    await hub.publishAsync(topic, JSON.stringify({ ts: Date.now(), seq: 1, nonsense: true }), { qos: 1 });
    const dead = await until('dead letters', async () => {
      const res = await http.call<{ items: { reason: string; hubId: string; topic?: string }[] }>('GET', '/api/v1/dead-letters?hubId=hub-raw');
      return res.body.items.length >= 6 ? res.body.items : undefined;
    });
    expect(dead.filter((d) => d.reason === 'not-json')).toHaveLength(5);
    expect(dead.every((d) => d.hubId === 'hub-raw')).toBe(true);
    expect(dead.some((d) => d.reason !== 'not-json')).toBe(true);
    // Another hub's dead letters are not mixed in, and the listing needs a token.
    expect((await http.call<{ items: unknown[] }>('GET', '/api/v1/dead-letters?hubId=hub-ok')).body.items).toHaveLength(0);
    expect((await http.call('GET', '/api/v1/dead-letters', undefined, null)).status).toBe(401);
    expect(hub.connected).toBe(true);
    hub.end(true);
    await bystanderOk();
  });
});
