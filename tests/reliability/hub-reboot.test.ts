import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import type { RunningGateway } from '@forecare/gateway';
import { topics } from '@forecare/firmware-contracts';
import { api, connectHub, startTestGateway, tempDir, until } from '../support/gateway.js';

const HUB = 'hub-reboot';
const FRIDGE = 'fridge-1';
const WASHER = 'washer-1';

/** A counter of the gateway's /metrics (0 when it has no sample yet). */
async function counter(gw: RunningGateway, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${gw.httpPort}/metrics`)).text();
  const m = new RegExp(`^${name} (\\d+)`, 'm').exec(text);
  return m === null ? 0 : Number(m[1]);
}

/** The journal's rows of one appliance, as (seq, device ts). */
function journaled(gw: RunningGateway, applianceId: string): { seq: number; device_ts: number }[] {
  return gw.ctx.store.journal.prepare('SELECT seq, device_ts FROM journal WHERE hub_id = ? AND appliance_id = ? ORDER BY pos').all(HUB, applianceId) as { seq: number; device_ts: number }[];
}

describe('a hub that reboots starts its counters again: that is new data, never a duplicate (issue 19, item 7)', () => {
  const dataDir = tempDir();
  const env = { FORECARE_DATA_DIR: dataDir };
  let gw: RunningGateway;
  let password = '';
  let hub: MqttClient;
  const boot1 = Date.now() - 600_000;
  const boot2 = Date.now() - 60_000;
  const fridge = (seq: number, ts: number): string => JSON.stringify({ ts, seq, type: 'refrigerator', metrics: { fridge_temp_c: 4 + (seq % 5) / 10 } });
  const washer = (seq: number, ts: number): string => JSON.stringify({ ts, seq, type: 'washer', metrics: { water_temp_c: 30 + (seq % 7) } });

  beforeAll(async () => {
    gw = await startTestGateway(env);
    password = (await api(gw).call<{ password: string }>('POST', '/api/v1/hubs', { hubId: HUB })).body.password;
  });

  afterAll(async () => {
    hub?.end(true);
    await gw?.stop();
  });

  it('takes seq 1… again after a reboot, raises the fault at seq 5, and still drops a real QoS 1 redelivery once', async () => {
    hub = await connectHub(gw, HUB, password);
    for (let s = 1; s <= 60; s++) await hub.publishAsync(topics.telemetry(HUB, FRIDGE), fridge(s, boot1 + s * 1000), { qos: 1 });
    for (let s = 1; s <= 30; s++) await hub.publishAsync(topics.telemetry(HUB, WASHER), washer(s, boot1 + s * 1000), { qos: 1 });
    hub.end(true);

    // The hub reboots: a new connection, every counter from 1 again, new timestamps.
    hub = await connectHub(gw, HUB, password);
    for (let s = 1; s <= 4; s++) await hub.publishAsync(topics.telemetry(HUB, FRIDGE), fridge(s, boot2 + s * 1000), { qos: 1 });
    const fault = JSON.stringify({ ts: boot2 + 5000, seq: 5, type: 'refrigerator', code: 'E-CMP-01', active: true });
    await hub.publishAsync(topics.fault(HUB, FRIDGE), fault, { qos: 1 });
    for (let s = 6; s <= 30; s++) await hub.publishAsync(topics.telemetry(HUB, FRIDGE), fridge(s, boot2 + s * 1000), { qos: 1 });
    for (let s = 1; s <= 30; s++) await hub.publishAsync(topics.telemetry(HUB, WASHER), washer(s, boot2 + s * 1000), { qos: 1 });
    expect(await counter(gw, 'forecare_duplicates_total')).toBe(0);
    expect(journaled(gw, FRIDGE)).toHaveLength(90);
    expect(journaled(gw, WASHER)).toHaveLength(60);

    const alarms = await until('the compressor alarm after the reboot', async () => {
      const a = await api(gw).call<{ items: { ruleId: string; hubId: string; applianceId: string | null }[] }>('GET', '/api/v1/alarms');
      const mine = a.body.items.filter((x) => x.ruleId === 'fault-code' && x.applianceId === FRIDGE);
      return mine.length > 0 ? mine : undefined;
    });
    expect(alarms).toHaveLength(1);

    // A QoS 1 redelivery is the same bytes again (with the DUP flag or without): dropped, once each.
    await hub.publishAsync(topics.fault(HUB, FRIDGE), fault, { qos: 1, dup: true });
    await hub.publishAsync(topics.telemetry(HUB, FRIDGE), fridge(30, boot2 + 30_000), { qos: 1 });
    expect(await counter(gw, 'forecare_duplicates_total')).toBe(2);
    expect(journaled(gw, FRIDGE)).toHaveLength(90);
  });

  it('remembers what it took across its own restart: a redelivery stays a duplicate, a reboot stays news', async () => {
    hub.end(true);
    await gw.stop();
    gw = await startTestGateway(env);
    hub = await connectHub(gw, HUB, password);
    // The last message before the restart, redelivered.
    await hub.publishAsync(topics.telemetry(HUB, WASHER), washer(30, boot2 + 30_000), { qos: 1, dup: true });
    expect(await counter(gw, 'forecare_duplicates_total')).toBe(1);
    // Rebooted once more, with new content at seqs the journal's tail holds.
    const boot3 = Date.now();
    for (let s = 1; s <= 10; s++) await hub.publishAsync(topics.telemetry(HUB, WASHER), washer(s, boot3 + s * 1000), { qos: 1 });
    expect(await counter(gw, 'forecare_duplicates_total')).toBe(1);
    expect(journaled(gw, WASHER)).toHaveLength(70);
  });
});
