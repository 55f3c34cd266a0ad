import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { createLogger, type RunningGateway } from '@forecare/gateway';
import { api, refusedCode, startTestGateway, tempDir, until } from '../support/gateway.js';
import { CLEAN, connectPacket, PASS, rawConnect, USER } from '../support/mqtt-raw.js';

interface LogLine {
  level: number;
  msg: string;
  username?: string;
  clientId?: string;
  remoteAddress?: string;
  protocolVersion?: number;
}

// aedes refuses MQTT 5 itself before forecare's hooks see a login; the operator still needs one line saying who and from where.
describe('an MQTT 5 hub is refused with one clear log line and a refused-connect count', () => {
  let gw: RunningGateway;
  const lines: LogLine[] = [];
  let pw = '';

  beforeAll(async () => {
    const logger = createLogger({ level: 'info', destination: { write: (s: string) => void lines.push(JSON.parse(s) as LogLine) } });
    gw = await startTestGateway({ FORECARE_DATA_DIR: tempDir() }, { logger });
    pw = (await api(gw).call<{ password: string }>('POST', '/api/v1/hubs', { hubId: 'hub-v5' })).body.password;
  });
  afterAll(async () => {
    await gw?.stop();
  });

  const metric = async (pattern: RegExp): Promise<number> => {
    const text = await (await fetch(`http://127.0.0.1:${gw.httpPort}/metrics`)).text();
    return Number(pattern.exec(text)?.[1] ?? 0);
  };

  it('says who (username, client id) and from where, once, and counts CONNACK 1 — not a protocol error', async () => {
    const protocolBefore = await metric(/^forecare_rejects_total\{reason="protocol"\} (\d+)/m);
    expect(await refusedCode(mqtt.connectAsync(`mqtt://127.0.0.1:${gw.mqttPort}`, { username: 'hub-v5', password: pw, clientId: 'v5-client', protocolVersion: 5, reconnectPeriod: 0 }))).toBeDefined();
    const refusal = await until('the refusal log line', () => lines.find((l) => l.clientId === 'v5-client'));
    expect(refusal).toMatchObject({ level: 40, username: 'hub-v5', protocolVersion: 5 });
    expect(refusal.remoteAddress).toMatch(/127\.0\.0\.1$/);
    expect(refusal.msg).toMatch(/MQTT 5 is not supported, connect with MQTT 3\.1\.1/);
    expect(JSON.stringify(refusal)).not.toContain(pw);
    expect(await until('the refused connect', async () => ((await metric(/^forecare_mqtt_connect_refused_total\{reason="1"\} (\d+)/m)) >= 1 ? true : undefined))).toBe(true);
    expect(await metric(/^forecare_rejects_total\{reason="protocol"\} (\d+)/m)).toBe(protocolBefore);
    expect(lines.filter((l) => l.msg === 'mqtt connection error')).toEqual([]);
  });

  it('a raw MQTT 5 CONNECT without a username, and one with 500-character ids, are refused with CONNACK 1 and logged with bounded fields', async () => {
    expect(await rawConnect(gw.mqttPort, connectPacket({ level: 5, properties: true, flags: CLEAN, clientId: 'v5-anon' }))).toBe(1);
    const anon = await until('the anonymous refusal', () => lines.find((l) => l.clientId === 'v5-anon'));
    expect(anon.username).toBeUndefined();
    expect(anon.remoteAddress).toMatch(/127\.0\.0\.1$/);
    const before = await metric(/^forecare_mqtt_connect_refused_total\{reason="1"\} (\d+)/m);
    expect(await rawConnect(gw.mqttPort, connectPacket({ level: 5, properties: true, flags: CLEAN | USER | PASS, clientId: 'x'.repeat(500), username: 'u'.repeat(500), password: 'p' }))).toBe(1);
    const long = await until('the long-id refusal', () => lines.find((l) => l.clientId?.startsWith('xxx')));
    expect(long.clientId?.length).toBe(128);
    expect(long.username?.length).toBe(128);
    expect(await metric(/^forecare_mqtt_connect_refused_total\{reason="1"\} (\d+)/m)).toBe(before + 1);
  });
});
