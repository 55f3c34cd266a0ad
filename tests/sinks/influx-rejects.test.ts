import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import type { RunningGateway } from '@forecare/gateway';
import { topics } from '@forecare/firmware-contracts';
import { api, connectHub, sleep, startTestGateway, tempDir, until } from '../support/gateway.js';
import { InfluxStandIn } from '../support/influx-standin.js';

const HUB = 'hub-types';
const FRIDGE = 'fridge-1';

async function metric(gw: RunningGateway, line: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${gw.httpPort}/metrics`)).text();
  const escaped = line.replace(/[{}"=]/g, (c) => `\\${c}`);
  const m = new RegExp(`^${escaped} (\\d+)`, 'm').exec(text);
  return m === null ? 0 : Number(m[1]);
}

describe('telemetry history: a line the store refuses is dead-lettered, never retried forever (issue 19, item 10)', () => {
  const influx = new InfluxStandIn();
  let gw: RunningGateway;
  let hub: MqttClient;
  let seq = 0;
  const T0 = Date.now() - 3_600_000;
  const send = async (metrics: Record<string, number | boolean>): Promise<number> => {
    seq++;
    await hub.publishAsync(topics.telemetry(HUB, FRIDGE), JSON.stringify({ ts: T0 + seq * 1000, seq, type: 'refrigerator', metrics: { fridge_temp_c: 4, ...metrics } }), { qos: 1 });
    return T0 + seq * 1000;
  };
  const caughtUp = (): Promise<true> => until('the sink to catch up with the journal', async () => ((await metric(gw, 'forecare_influx_lag_messages')) === 0 && influx.statuses.length > 0 ? true : undefined), 20_000);

  beforeAll(async () => {
    await influx.start();
    gw = await startTestGateway({ FORECARE_DATA_DIR: tempDir(), FORECARE_INFLUX_URL: influx.url, FORECARE_INFLUX_TOKEN: 't' });
    const { password } = (await api(gw).call<{ password: string }>('POST', '/api/v1/hubs', { hubId: HUB })).body;
    hub = await connectHub(gw, HUB, password);
  });

  afterAll(async () => {
    hub?.end(true);
    await gw?.stop();
    await influx.stop();
  });

  it('writes a boolean metric as a boolean whether the hub sends true/false or 1/0, so the store never sees a type conflict', async () => {
    const sent: number[] = [];
    for (const door of [false, 1, true, 0, 1, false]) sent.push(await send({ door_open: door }));
    const doors = await until('all six door readings', () => {
      const d = influx.field('door_open');
      return d.length >= 6 ? d : undefined;
    });
    expect(doors.map((d) => d.ts)).toEqual(sent);
    expect(doors.map((d) => d.type)).toEqual(['boolean', 'boolean', 'boolean', 'boolean', 'boolean', 'boolean']);
    expect(doors.map((d) => d.value)).toEqual(['F', 'T', 'T', 'F', 'T', 'F']); // line protocol booleans as Point writes them
    // Numbers stay floats, whole or not: 4 and 4.5 are one field type.
    expect(new Set(influx.field('fridge_temp_c').map((f) => f.type))).toEqual(new Set(['float']));
    expect(influx.statuses.filter((s) => s !== 204)).toEqual([]);
    await caughtUp();
  });

  it('splits a refused batch down to its bad lines, dead-letters each with the store\'s reason and counts it; an outage is retried and loses nothing', async () => {
    // History an older writer left: this (uncatalogued) metric already exists as a boolean in the store.
    influx.seedFieldType('appliance_telemetry', 'legacy_level', 'boolean');
    influx.mode = 'unavailable';
    const refused = new Set([3, 11, 17]);
    const written: number[] = [];
    for (let i = 1; i <= 20; i++) {
      const ts = await send(refused.has(i) ? { legacy_level: 5, fridge_temp_c: 4.5 } : { fridge_temp_c: 4.5 });
      if (!refused.has(i)) written.push(ts);
    }
    await sleep(1200); // at least one write refused with 503: retried later, nothing dead-lettered for it
    expect(influx.statuses).toContain(503);
    influx.mode = 'up';
    await caughtUp();

    const points = influx.field('fridge_temp_c').filter((p) => p.value === '4.5');
    expect(points.map((p) => p.ts)).toEqual(written);
    const letters = (await api(gw).call<{ items: { reason: string; hubId: string; topic: string; errors: { message: string }[]; payload: string }[] }>('GET', `/api/v1/dead-letters?hubId=${HUB}`)).body.items;
    expect(letters).toHaveLength(3);
    for (const l of letters) {
      expect(l).toMatchObject({ reason: 'history-rejected', hubId: HUB, topic: topics.telemetry(HUB, FRIDGE) });
      expect(l.errors[0]?.message).toContain('field type conflict');
      expect(l.payload).toContain('legacy_level=5');
    }
    expect(await metric(gw, 'forecare_influx_rejected_lines_total')).toBe(3);
    expect(await metric(gw, 'forecare_dead_letters_total{reason="history-rejected"}')).toBe(3);

    // And history goes on after it.
    const later = await send({ door_open: true });
    await until('a later point', () => (influx.field('door_open').some((d) => d.ts === later) ? true : undefined));
  });
});
