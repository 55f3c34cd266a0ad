import { createServer, type Server } from 'node:net';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import type { RunningGateway } from '@forecare/gateway';
import { topics, type NoticePayload } from '@forecare/firmware-contracts';
import { api, connectHub, connectionClosed, refusedCode, startTestGateway, tempDir, until, type Api } from '../support/gateway.js';


describe('bad input gets a clear refusal and the gateway keeps serving other hubs', () => {
  let gw: RunningGateway;
  let http: Api;
  const creds: Record<string, string> = {};
  let bystander: MqttClient;

  beforeAll(async () => {
    gw = await startTestGateway({ FORECARE_DATA_DIR: tempDir() });
    http = api(gw);
    for (const hubId of ['hub-bad', 'hub-good']) {
      const r = await http.call<{ password: string }>('POST', '/api/v1/hubs', { hubId });
      creds[hubId] = r.body.password;
    }
    bystander = await connectHub(gw, 'hub-good', creds['hub-good'] ?? '');
  });

  afterAll(async () => {
    bystander?.end(true);
    await gw?.stop();
  });

  async function bystanderStillServed(): Promise<void> {
    await bystander.publishAsync(topics.heartbeat('hub-good'), JSON.stringify({ ts: Date.now(), seq: Math.floor(Math.random() * 1e9) }), { qos: 1 });
    expect(bystander.connected).toBe(true);
  }

  async function noticesOf(client: MqttClient, hubId: string): Promise<NoticePayload[]> {
    const notices: NoticePayload[] = [];
    client.on('message', (topic, payload) => {
      if (topic === topics.notices(hubId)) notices.push(JSON.parse(payload.toString()) as NoticePayload);
    });
    await client.subscribeAsync(topics.notices(hubId), { qos: 1 });
    return notices;
  }

  it('a payload that is not JSON: PUBACK, a notice with the reason, a dead letter, connection kept', async () => {
    const hub = await connectHub(gw, 'hub-bad', creds['hub-bad'] ?? '');
    const notices = await noticesOf(hub, 'hub-bad');
    await hub.publishAsync(topics.telemetry('hub-bad', 'fridge-x'), 'not json {', { qos: 1 });
    const notice = await until('a notice', () => notices[0]);
    expect(notice).toMatchObject({ kind: 'rejected', code: 'GW_REJECT_NOT_JSON' });
    expect(hub.connected).toBe(true);
    const dead = await http.call<{ items: { reason: string; hubId: string }[] }>('GET', '/api/v1/dead-letters?hubId=hub-bad');
    expect(dead.body.items[0]).toMatchObject({ reason: 'not-json', hubId: 'hub-bad' });
    await bystanderStillServed();
    hub.end(true);
  });

  it('a payload that fails the schema: a notice naming the field by JSON pointer', async () => {
    const hub = await connectHub(gw, 'hub-bad', creds['hub-bad'] ?? '');
    const notices = await noticesOf(hub, 'hub-bad');
    await hub.publishAsync(topics.fault('hub-bad', 'fridge-x'), JSON.stringify({ ts: Date.now(), seq: 7, type: 'refrigerator', code: 'E-CMP-01', active: 'yes' }), { qos: 1 });
    const notice = await until('a notice', () => notices[0]);
    expect(notice).toMatchObject({ kind: 'rejected', code: 'GW_REJECT_SCHEMA', seq: 7 });
    expect(notice.errors?.some((e) => e.pointer === '/active')).toBe(true);
    expect(hub.connected).toBe(true);
    await bystanderStillServed();
    hub.end(true);
  });

  it('a publish outside the hub prefix closes the connection (MQTT 3.1.1 has no PUBACK reason code)', async () => {
    const hub = await connectHub(gw, 'hub-bad', creds['hub-bad'] ?? '');
    const gone = connectionClosed(hub);
    hub.publish(topics.heartbeat('hub-good'), JSON.stringify({ ts: Date.now(), seq: 1 }), { qos: 1 });
    await gone;
    expect(hub.connected).toBe(false);
    const metrics = await (await fetch(`http://127.0.0.1:${gw.httpPort}/metrics`)).text();
    expect(metrics).toMatch(/forecare_rejects_total\{reason="forbidden-topic"\} [1-9]/);
    await bystanderStillServed();
    hub.end(true);
  });

  it('a subscription to another hub gets a SUBACK failure and the connection stays', async () => {
    const hub = await connectHub(gw, 'hub-bad', creds['hub-bad'] ?? '');
    // mqtt.js reports a 0x80 return code as an error carrying the SUBACK packet.
    const refused = await hub.subscribeAsync(topics.notices('hub-good'), { qos: 1 }).then(
      () => undefined,
      (e: { packet?: { granted?: number[] } }) => e.packet?.granted,
    );
    expect(refused).toEqual([128]);
    const mine = await hub.subscribeAsync(topics.notices('hub-bad'), { qos: 1 });
    expect(mine[0]?.qos).toBe(1);
    expect(hub.connected).toBe(true);
    hub.end(true);
  });

  it('wrong credentials get CONNACK 4 (bad user name or password)', async () => {
    expect(await refusedCode(mqtt.connectAsync(`mqtt://127.0.0.1:${gw.mqttPort}`, { username: 'hub-bad', password: 'wrong-password', reconnectPeriod: 0, protocolVersion: 4 }))).toBe(4);
    expect(await refusedCode(mqtt.connectAsync(`mqtt://127.0.0.1:${gw.mqttPort}`, { username: 'hub-nobody', password: 'x', reconnectPeriod: 0, protocolVersion: 4 }))).toBe(4);
    await bystanderStillServed();
  });

  it('an MQTT 5 CONNECT is refused with CONNACK 1 (unacceptable protocol version)', async () => {
    // mqtt.js reports a refused MQTT 5 CONNECT with its own codes; raw-connect.test.ts checks the CONNACK byte is 1.
    expect(await refusedCode(mqtt.connectAsync(`mqtt://127.0.0.1:${gw.mqttPort}`, { username: 'hub-good', password: creds['hub-good'], reconnectPeriod: 0, protocolVersion: 5 }))).toBeDefined();
    await bystanderStillServed();
  });

  it('bad API input gets a 400 problem body naming the field', async () => {
    const r = await http.call<{ code: string; errors: { pointer: string }[] }>('POST', '/api/v1/hubs', { hubId: 'bad id with spaces' });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('GW_ERR_VALIDATION');
    expect(r.body.errors[0]?.pointer).toContain('hubId');
  });
});

describe('a taken port', () => {
  let blocker: Server;
  let port = 0;

  beforeAll(async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    port = typeof address === 'object' && address !== null ? address.port : 0;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
  });

  it('gives one line naming the setting to change, not a stack trace', async () => {
    const cli = fileURLToPath(new URL('../../gateway/dist/cli/main.js', import.meta.url));
    const child = spawn(process.execPath, [cli, 'start'], {
      env: { ...process.env, FORECARE_MQTT_PORT: String(port), FORECARE_HTTP_PORT: '0', FORECARE_DATA_DIR: tempDir(), FORECARE_LOG_LEVEL: 'silent', FORECARE_ADMIN_TOKEN: 'x'.repeat(24) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('FORECARE_MQTT_PORT');
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
