import { connect as netConnect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import type { RunningGateway } from '@forecare/gateway';
import { topics } from '@forecare/firmware-contracts';
import { api, connectHub, startTestGateway, tempDir, until, type Api } from '../support/gateway.js';

/** MQTT length-prefixed string of raw bytes (so invalid UTF-8 can be sent on purpose). */
const str = (b: Buffer | string): Buffer => {
  const body = typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
  const len = Buffer.alloc(2);
  len.writeUInt16BE(body.length);
  return Buffer.concat([len, body]);
};

const remainingLength = (n: number): Buffer => {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return Buffer.from(out);
};

interface RawConnect {
  level?: number;
  flags: number;
  clientId: Buffer | string;
  will?: { topic: string; payload: string };
  username?: Buffer | string;
  password?: string;
  properties?: boolean;
}

/** Builds a CONNECT by hand: flags are written as given, so malformed combinations can be sent. */
function connectPacket(p: RawConnect): Buffer {
  const parts: Buffer[] = [str('MQTT'), Buffer.from([p.level ?? 4, p.flags, 0x00, 0x3c])];
  if (p.properties === true) parts.push(Buffer.from([0x00])); // MQTT 5: empty property list
  parts.push(str(p.clientId));
  if (p.will !== undefined) {
    if (p.properties === true) parts.push(Buffer.from([0x00]));
    parts.push(str(p.will.topic), str(p.will.payload));
  }
  if (p.username !== undefined) parts.push(str(p.username));
  if (p.password !== undefined) parts.push(str(p.password));
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([0x10]), remainingLength(body.length), body]);
}

/** Sends one CONNECT on a raw socket; resolves the CONNACK return code, or 'closed' when the server hung up first. */
async function rawConnect(port: number, packet: Buffer): Promise<number | 'closed'> {
  const socket: Socket = netConnect(port, '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return new Promise((resolve) => {
    let got: Buffer = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('closed');
    }, 5000);
    socket.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      // CONNACK: 0x20 len 0x02 flags code
      if (got.length >= 4 && got[0] === 0x20) {
        clearTimeout(timer);
        socket.destroy();
        resolve(got[3] ?? -1);
      }
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve('closed');
    });
    socket.on('error', () => undefined);
    socket.write(packet);
  });
}

const CLEAN = 0x02;
const USER = 0x80;
const PASS = 0x40;
const WILL = 0x04;

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
