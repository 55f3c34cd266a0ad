import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '@forecare/gateway';
import { topics } from '@forecare/firmware-contracts';
import { metricSum } from './metric.js';
import { api, sleep, startTestGateway, tempDir, until } from '../support/gateway.js';
import { connectPacket, CLEAN, hubConnect, PASS, publishPacket, RawSession, remainingLength, subscribePacket, USER } from '../support/mqtt-raw.js';

const CASES = 2_000;

/**
 * A bounded raw-MQTT fuzz: byte sequences a broken or hostile client sends — random packet types
 * and flags, lying remaining lengths, valid CONNECTs followed by garbage, half packets, sockets
 * dropped at every point. Afterwards the gateway still serves a real hub, its connection gauge
 * equals the sockets really open, and memory has come back.
 */
describe('raw MQTT fuzzing', () => {
  let gw: RunningGateway;
  let password = '';

  beforeAll(async () => {
    gw = await startTestGateway({ FORECARE_DATA_DIR: tempDir() });
    const r = await api(gw).call<{ password: string }>('POST', '/api/v1/hubs', { hubId: 'hub-fuzz' });
    password = r.body.password;
  });
  afterAll(async () => {
    await gw?.stop();
  });

  const header = fc.tuple(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 15 })).map(([t, f]) => (t << 4) | f);
  const lyingLength = fc.oneof(fc.integer({ min: 0, max: 300 }), fc.constant(268_435_455), fc.integer({ min: 0, max: 2_000_000 }));
  const garbagePacket = fc.tuple(header, lyingLength, fc.uint8Array({ maxLength: 200 })).map(([h, len, body]) => Buffer.concat([Buffer.from([h]), remainingLength(Math.min(len, 268_435_455)), Buffer.from(body)]));
  const validOpen = fc.constantFrom('none', 'connect', 'connect-bad-password', 'connect-odd-flags');
  const afterwards = fc.array(fc.oneof(garbagePacket, fc.constant(publishPacket(topics.heartbeat('hub-fuzz'), '{"ts":1,"seq":1}')), fc.constant(subscribePacket(1, ['#'])), fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b))), { maxLength: 4 });
  const ending = fc.constantFrom('destroy', 'end', 'wait');

  it(`${CASES} hostile byte sequences leave no phantom connection, no crash and no growth`, async () => {
    const bystander = await RawSession.connected(gw.mqttPort, hubConnect('hub-fuzz', password, { clientId: 'hub-fuzz-bystander' }));
    if (global.gc) global.gc();
    const heapBefore = process.memoryUsage().heapUsed;
    let n = 0;
    await fc.assert(
      fc.asyncProperty(validOpen, afterwards, ending, fc.boolean(), async (open, packets, end, oneWrite) => {
        n++;
        const s = await RawSession.open(gw.mqttPort);
        const first: Buffer[] = [];
        if (open === 'connect') first.push(hubConnect('hub-fuzz', password));
        if (open === 'connect-bad-password') first.push(hubConnect('hub-fuzz', 'wrong'));
        if (open === 'connect-odd-flags') first.push(connectPacket({ flags: CLEAN | USER | PASS | 0x01, clientId: `f${n}`, username: 'hub-fuzz', password }));
        if (oneWrite) s.send(...first, ...packets);
        else {
          s.send(...first);
          if (open !== 'none') await s.next(0x20, 1_000).catch(() => undefined);
          for (const p of packets) s.send(p);
        }
        if (end === 'destroy') s.end();
        else if (end === 'end') s.socket.end();
        else await Promise.race([s.closed, sleep(20)]);
        s.end();
      }),
      { numRuns: CASES, seed: 1204 },
    );
    expect(n).toBe(CASES);
    // Only the bystander is really connected: the gauge must say so once the dust settles.
    await until('the gauge to equal the sockets open', async () => ((await metricSum(gw, 'forecare_mqtt_connections')) === 1 ? true : undefined), 15_000);
    expect(gw.ctx.broker.connectedClients).toBe(1);
    bystander.send(publishPacket(topics.heartbeat('hub-fuzz'), JSON.stringify({ ts: Date.now(), seq: 7 }), { messageId: 9 }));
    expect(await bystander.next(0x40, 5_000)).not.toBe('closed');
    const health = await fetch(`http://127.0.0.1:${gw.httpPort}/api/v1/health`);
    expect(health.status).toBe(200);
    if (global.gc) global.gc();
    await sleep(200);
    // Per-connection state is released: far less than 2,000 connections' worth of heap remains.
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
    bystander.end();
  });
});
