import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import type { RunningGateway } from '@forecare/gateway';
import { topics } from '@forecare/firmware-contracts';
import { api, connectHub, sleep, startTestGateway, tempDir, until } from '../support/gateway.js';
import { freePort, Victoria } from '../support/victoria.js';

describe('telemetry history in an InfluxDB-compatible store (real VictoriaMetrics)', () => {
  let vm: Victoria;
  let gw: RunningGateway;
  let hub: MqttClient;
  const T0 = Date.now() - 60_000;
  let seq = 0;

  beforeAll(async () => {
    vm = new Victoria(await freePort(), tempDir('forecare-vm-'));
    await vm.start();
    gw = await startTestGateway({ FORECARE_DATA_DIR: tempDir(), FORECARE_INFLUX_URL: vm.url, FORECARE_INFLUX_TOKEN: 'unused-by-victoria' });
    const { password } = (await api(gw).call<{ password: string }>('POST', '/api/v1/hubs', { hubId: 'hub-hist' })).body;
    hub = await connectHub(gw, 'hub-hist', password);
  });

  afterAll(async () => {
    hub?.end(true);
    await gw?.stop();
    await vm?.stop();
  });

  async function publish(n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      seq++;
      // Batched: each message carries one earlier sample too. The door goes as false or as 1, as firmware variants send it.
      await hub.publishAsync(
        topics.telemetry('hub-hist', 'hub-hist.fridge'),
        JSON.stringify({ ts: T0 + seq * 10, seq: seq * 2, type: 'refrigerator', model: 'RF 500,x', metrics: { fridge_temp_c: 4 + (seq % 7) / 10, door_open: seq % 3 === 0 ? 1 : false }, samples: [{ ts: T0 + seq * 10 - 5, seq: seq * 2 - 1, metrics: { fridge_temp_c: 4.05 } }] }),
        { qos: 1 },
      );
    }
  }

  it('writes every point through forecare, and an outage of the store loses none and doubles none', async () => {
    await publish(200);
    await until('the first 400 points', async () => ((await vm.samples('appliance_telemetry_fridge_temp_c')).length >= 400 ? true : undefined), 15_000);
    await vm.stop();
    await publish(200); // the store is down: ingest goes on, history waits in the journal
    await sleep(1500);
    const lag = await (await fetch(`http://127.0.0.1:${gw.httpPort}/metrics`)).text();
    expect(lag).toMatch(/forecare_influx_lag_messages [1-9]/);
    await vm.start();
    await publish(100);
    const points = await until(
      'all 1,000 points',
      async () => {
        const s = await vm.samples('appliance_telemetry_fridge_temp_c');
        return s.length >= 1000 ? s : undefined;
      },
      30_000,
    );
    expect(points).toHaveLength(1000);
    expect(new Set(points.map(([t]) => t)).size).toBe(1000);
    const doors = await vm.samples('appliance_telemetry_door_open');
    expect(doors).toHaveLength(500);
    // One field type whatever the hub sent: 1 and false are both a boolean, stored as 1 and 0.
    expect(doors.filter(([, v]) => v === 1)).toHaveLength(Math.floor(500 / 3));
    expect(doors.every(([, v]) => v === 0 || v === 1)).toBe(true);
  });
});
