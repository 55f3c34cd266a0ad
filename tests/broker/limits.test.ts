import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import WebSocket from 'ws';
import type { RunningGateway } from '@forecare/gateway';
import { topics } from '@forecare/firmware-contracts';
import { api, connectHub, sleep, startTestGateway, tempDir, until } from '../support/gateway.js';
import { connectPacket, hubConnect, publishPacket, RawSession, subscribePacket } from '../support/mqtt-raw.js';

const metricsText = async (gw: RunningGateway): Promise<string> => (await fetch(`http://127.0.0.1:${gw.httpPort}/metrics`)).text();
const counter = (text: string, name: string, reason: string): number => Number(new RegExp(`${name}\\{reason="${reason}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
const heartbeat = (seq: number): string => JSON.stringify({ ts: Date.now(), seq });

describe('per-connection limits and topic hygiene, on raw sockets', () => {
  let gw: RunningGateway;
  let pw = '';
  let bystander: MqttClient;

  beforeAll(async () => {
    gw = await startTestGateway({ FORECARE_DATA_DIR: tempDir(), FORECARE_MQTT_MAX_INFLIGHT: '16', FORECARE_MQTT_MAX_PACKET_BYTES: '65536', FORECARE_MQTT_WS_PORT: '0' });
    pw = (await api(gw).call<{ password: string }>('POST', '/api/v1/hubs', { hubId: 'hub-l' })).body.password;
    const other = (await api(gw).call<{ password: string }>('POST', '/api/v1/hubs', { hubId: 'hub-bystander' })).body.password;
    bystander = await connectHub(gw, 'hub-bystander', other);
  });

  afterAll(async () => {
    bystander?.end(true);
    await gw?.stop();
  });

  const bystanderOk = async (): Promise<void> => {
    await bystander.publishAsync(topics.heartbeat('hub-bystander'), heartbeat(Math.floor(Math.random() * 1e9)), { qos: 1 });
    expect(bystander.connected).toBe(true);
  };

  it('a publish topic with NUL, a control character or invalid UTF-8 closes the connection, even under the hub prefix', async () => {
    const before = counter(await metricsText(gw), 'forecare_rejects_total', 'forbidden-topic');
    const bad = [`${topics.hubPrefix('hub-l')}heart\u0000beat`, `${topics.hubPrefix('hub-l')}heart\u0009beat`, Buffer.concat([Buffer.from(topics.hubPrefix('hub-l')), Buffer.from([0xe2, 0x28, 0xa1])])];
    for (const topic of bad) {
      const s = await RawSession.connected(gw.mqttPort, hubConnect('hub-l', pw));
      s.send(publishPacket(topic, heartbeat(1)));
      expect(await s.next(0x40)).toBe('closed');
    }
    expect(counter(await metricsText(gw), 'forecare_rejects_total', 'forbidden-topic') - before).toBe(3);
    await bystanderOk();
  });

  it('a subscription filter with NUL or a control character gets SUBACK 0x80 and the connection stays', async () => {
    const s = await RawSession.connected(gw.mqttPort, hubConnect('hub-l', pw));
    s.send(subscribePacket(7, [`${topics.hubPrefix('hub-l')}\u0000x`, `${topics.hubPrefix('hub-l')}\u001f`, topics.notices('hub-l')]));
    expect(await s.suback()).toEqual([0x80, 0x80, 1]);
    expect(s.open).toBe(true);
    s.end();
  });

  it('a topic deeper than FORECARE_MQTT_MAX_TOPIC_LEVELS (8) closes the connection; 8 levels is a dead letter and the connection stays', async () => {
    const nine = `${topics.hubPrefix('hub-l')}a/b/c/d/e/f`;
    const deep = await RawSession.connected(gw.mqttPort, hubConnect('hub-l', pw));
    deep.send(publishPacket(nine, heartbeat(1)));
    expect(await deep.next(0x40)).toBe('closed');
    const deepFilter = await RawSession.connected(gw.mqttPort, hubConnect('hub-l', pw));
    deepFilter.send(subscribePacket(3, [nine]));
    expect(await deepFilter.suback()).toBe('closed');
    const eight = await RawSession.connected(gw.mqttPort, hubConnect('hub-l', pw));
    eight.send(publishPacket(`${topics.hubPrefix('hub-l')}a/b/c/d/e`, heartbeat(1)));
    expect(await eight.next(0x40)).not.toBe('closed');
    expect(eight.open).toBe(true);
    eight.end();
    await bystanderOk();
  });

  it('more QoS 1 publishes in flight than FORECARE_MQTT_MAX_INFLIGHT (16) close the connection; 16 are all acknowledged', async () => {
    const burst = (from: number, n: number): Buffer[] => Array.from({ length: n }, (_, i) => publishPacket(topics.heartbeat('hub-l'), heartbeat(from + i), { messageId: i + 1 }));
    const ok = await RawSession.connected(gw.mqttPort, hubConnect('hub-l', pw));
    ok.send(...burst(1000, 16)); // one write: aedes hands the whole read to the handlers at once
    for (let i = 0; i < 16; i++) expect(await ok.next(0x40)).not.toBe('closed');
    expect(ok.open).toBe(true);
    ok.end();
    const before = counter(await metricsText(gw), 'forecare_rejects_total', 'too-many-inflight');
    const flood = await RawSession.connected(gw.mqttPort, hubConnect('hub-l', pw));
    flood.send(...burst(2000, 64));
    await flood.closed;
    expect(counter(await metricsText(gw), 'forecare_rejects_total', 'too-many-inflight') - before).toBeGreaterThanOrEqual(1);
    await bystanderOk();
  });

  it('only the status topic keeps a retained message: retain on any other topic under the prefix is dropped', async () => {
    const hub = await connectHub(gw, 'hub-l', pw);
    await hub.publishAsync(topics.status('hub-l'), JSON.stringify({ ts: Date.now(), state: 'online' }), { qos: 1, retain: true });
    await hub.publishAsync(topics.heartbeat('hub-l'), heartbeat(31_337), { qos: 1, retain: true });
    for (let i = 0; i < 20; i++) await hub.publishAsync(`${topics.hubPrefix('hub-l')}junk/${i}`, 'x', { qos: 1, retain: true });
    hub.end(true);
    const late = await connectHub(gw, 'hub-l', pw);
    const retained: string[] = [];
    late.on('message', (topic, _payload, packet) => {
      if (packet.retain) retained.push(topic);
    });
    await late.subscribeAsync(`${topics.hubPrefix('hub-l')}#`, { qos: 1 });
    await sleep(300);
    expect(retained).toEqual([topics.status('hub-l')]);
    late.end(true);
  });

  it('a client silent past 1.5 x its keepalive is disconnected, with a metric; one that pings stays', async () => {
    const silent = await RawSession.connected(gw.mqttPort, hubConnect('hub-l', pw, { keepalive: 1 }));
    const pinging = await RawSession.connected(gw.mqttPort, hubConnect('hub-l', pw, { keepalive: 1 }));
    const started = Date.now();
    const ping = setInterval(() => pinging.send(Buffer.from([0xc0, 0x00])), 400);
    await silent.closed;
    const silentFor = Date.now() - started;
    expect(silentFor).toBeGreaterThanOrEqual(1400);
    expect(silentFor).toBeLessThan(4000);
    await sleep(1000);
    clearInterval(ping);
    expect(pinging.open).toBe(true);
    pinging.end();
    expect(counter(await metricsText(gw), 'forecare_mqtt_disconnects_total', 'keepalive-timeout')).toBeGreaterThanOrEqual(1);
  });

  it('over WebSocket, a message bigger than FORECARE_MQTT_MAX_PACKET_BYTES is refused by ws before it is buffered whole', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${gw.wsPort}/mqtt`, 'mqtt');
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.on('error', () => undefined);
    ws.send(Buffer.concat([connectPacket({ flags: 0x02 | 0x80 | 0x40, clientId: 'hub-l-ws', username: 'hub-l', password: pw }), Buffer.alloc(70_000, 0x30)]));
    expect(await closed).toBe(1009); // message too big
    // A CONNECT alone, in its own message, is served.
    const good = new WebSocket(`ws://127.0.0.1:${gw.wsPort}/mqtt`, 'mqtt');
    const connack = await new Promise<Buffer>((resolve, reject) => {
      let got = Buffer.alloc(0);
      good.once('open', () => good.send(hubConnect('hub-l', pw)));
      good.on('message', (d: Buffer) => {
        got = Buffer.concat([got, d]);
        if (got.length >= 4) resolve(got);
      });
      good.once('error', reject);
    });
    expect([...connack]).toEqual([0x20, 0x02, 0x00, 0x00]);
    good.close();
    await until('bystander still served', async () => {
      await bystanderOk();
      return true;
    });
  });

  it('/metrics has what issue 9 asks for: connections, messages in/out by kind, rejects by reason, journal commit latency, spool depth, rule evaluation time', async () => {
    const text = await metricsText(gw);
    for (const family of ['forecare_mqtt_connections', 'forecare_messages_in_total', 'forecare_messages_out_total', 'forecare_rejects_total', 'forecare_journal_commit_seconds', 'forecare_influx_lag_messages', 'forecare_rule_eval_seconds', 'forecare_login_failures_total', 'forecare_mqtt_disconnects_total']) {
      expect(text, family).toContain(`# TYPE ${family} `);
    }
    expect(text).toMatch(/forecare_mqtt_connections\{role="hub"\} [1-9]/); // the bystander at least
    expect(text).toMatch(/forecare_messages_in_total\{kind="heartbeat"\} [1-9]/);
    expect(text).toMatch(/forecare_journal_commit_seconds_count [1-9]/);
  });
});
