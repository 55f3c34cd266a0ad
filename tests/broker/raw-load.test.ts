import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '@forecare/gateway';
import { runRawLoad } from '../../gateway/src/bench/raw-load.js';
import { api, startTestGateway, tempDir } from '../support/gateway.js';

/** The ingest benchmark's load generator, on a real gateway: what it counts as acknowledged is what the journal holds. */
describe('raw-socket load generator (ingest benchmark)', () => {
  let gw: RunningGateway;
  const passwords: string[] = [];

  beforeAll(async () => {
    gw = await startTestGateway({ FORECARE_DATA_DIR: tempDir() });
    const http = api(gw);
    for (const hubId of ['load-0', 'load-1']) passwords.push((await http.call<{ password: string }>('POST', '/api/v1/hubs', { hubId })).body.password);
  });

  afterAll(async () => {
    await gw?.stop();
  });

  it('keeps a window of QoS 1 publishes in flight per hub; every acknowledged one is a valid journaled message, none refused', async () => {
    const journaled = (): number => (gw.ctx.store.journal.prepare("SELECT count(*) AS n FROM journal WHERE kind = 'telemetry'").get() as { n: number }).n;
    const before = journaled();
    // Both bench hubs share one password in the benchmark; here each has its own, so run one generator per hub.
    const results = await Promise.all(['load-0', 'load-1'].map((hubId, i) => runRawLoad({ port: gw.mqttPort, hubs: [hubId], password: passwords[i] ?? '', window: 8, seconds: 0.5 })));
    const acked = results.reduce((n, r) => n + r.acked, 0);
    expect(acked).toBeGreaterThan(50);
    for (const r of results) {
      expect(r.p50).toBeGreaterThan(0);
      expect(r.p99).toBeGreaterThanOrEqual(r.p50);
    }
    expect(journaled() - before).toBeGreaterThanOrEqual(acked);
    const dead = (gw.ctx.store.sqlite.prepare('SELECT count(*) AS n FROM dead_letters').get() as { n: number }).n;
    expect(dead).toBe(0);
  });

  it('a wrong password is refused at CONNACK, not counted as load', async () => {
    await expect(runRawLoad({ port: gw.mqttPort, hubs: ['load-0'], password: 'not-the-password', window: 1, seconds: 0.1 })).rejects.toThrow(/CONNACK 4/);
  });
});
