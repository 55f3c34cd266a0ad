import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '@forecare/gateway';
import { runRawLoad } from '@forecare/device-sim';
import { api, startTestGateway, tempDir, until } from '../support/gateway.js';

/** The raw-socket load generator (forecare-sim load, the ingest benchmark) on a real gateway. */
describe('raw-socket load generator', () => {
  let gw: RunningGateway;
  const hubs: { hubId: string; password: string }[] = [];
  const journaled = (): number => (gw.ctx.store.journal.prepare("SELECT count(*) AS n FROM journal WHERE kind = 'telemetry'").get() as { n: number }).n;
  const deadLetters = (): number => (gw.ctx.store.sqlite.prepare('SELECT count(*) AS n FROM dead_letters').get() as { n: number }).n;

  beforeAll(async () => {
    gw = await startTestGateway({ FORECARE_DATA_DIR: tempDir() });
    const http = api(gw);
    for (const hubId of ['load-0', 'load-1']) hubs.push({ hubId, password: (await http.call<{ password: string }>('POST', '/api/v1/hubs', { hubId })).body.password });
  });

  afterAll(async () => {
    await gw?.stop();
  });

  it('QoS 1: keeps a window in flight per hub; every acknowledged publish is a valid journaled message', async () => {
    const before = journaled();
    const r = await runRawLoad({ port: gw.mqttPort, hubs, qos: 1, window: 8, seconds: 0.5 });
    expect(r.connections).toBe(2);
    expect(r.acked).toBeGreaterThan(50);
    expect(r.errors).toBe(0);
    expect(r.p50).toBeGreaterThan(0);
    expect(r.p99).toBeGreaterThanOrEqual(r.p50);
    expect(journaled() - before).toBeGreaterThanOrEqual(r.acked);
    expect(deadLetters()).toBe(0);
  });

  it('QoS 0: as fast as the socket drains, no latency figures, nothing refused', async () => {
    const before = journaled();
    const r = await runRawLoad({ port: gw.mqttPort, hubs, qos: 0, window: 1, seconds: 0.3 });
    expect(r.acked).toBeGreaterThan(50);
    expect(Number.isNaN(r.p50)).toBe(true);
    await until('QoS 0 messages journaled', () => (journaled() - before > 50 ? true : undefined));
    expect(deadLetters()).toBe(0);
  });

  it('a wrong password is refused at CONNACK, not counted as load', async () => {
    await expect(runRawLoad({ port: gw.mqttPort, hubs: [{ hubId: 'load-0', password: 'not-the-password' }], window: 1, seconds: 0.1 })).rejects.toThrow(/CONNACK 4/);
  });
});
