import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Aedes } from 'aedes';
import { decodeUplink } from '@forecare/firmware-contracts';
import { SimHub } from './hub.js';
import type { SimClock } from './clock.js';

/** A clock the test moves by hand, so runs are reproducible. */
class StepClock implements SimClock {
  constructor(private t: number) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
  realDelay(): number {
    return 1;
  }
}

describe('simulated hub', () => {
  let broker: Aedes;
  let server: Server;
  let url = '';
  const received: { topic: string; payload: Buffer }[] = [];

  beforeAll(async () => {
    broker = await Aedes.createBroker();
    broker.on('publish', (packet, client) => {
      if (client !== null) received.push({ topic: packet.topic, payload: Buffer.from(packet.payload) });
    });
    server = createServer(broker.handle);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    url = `mqtt://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await new Promise<void>((resolve) => broker.close(() => resolve()));
  });

  async function run(seed: number): Promise<SimHub> {
    const clock = new StepClock(Date.UTC(2026, 10, 1));
    const hub = new SimHub({ url, hubId: `hub-s${seed}`, password: 'x', seed, clock, intervalMs: 60_000 });
    await hub.connect();
    for (let i = 0; i < 30; i++) {
      clock.advance(60_000);
      await hub.tick();
    }
    await hub.injectFault('refrigerator', 'E-CMP-01');
    await hub.stockFood('refrigerator', { expiringInDays: 1 });
    await hub.clearFault('refrigerator', 'E-CMP-01');
    await hub.stop();
    return hub;
  }

  it('every message it sends validates against firmware-contracts, on the wire too', async () => {
    const hub = await run(7);
    expect(hub.sent.length).toBeGreaterThan(60);
    for (const m of hub.sent) {
      const r = decodeUplink(m.topic, Buffer.from(JSON.stringify(m.payload)));
      expect(r.ok, `${m.topic} ${JSON.stringify(r.ok ? '' : r.errors)}`).toBe(true);
    }
    const wire = received.filter((r) => r.topic.startsWith('forecare/v1/hub-s7/'));
    expect(wire.length).toBe(hub.sent.length);
    for (const w of wire) expect(decodeUplink(w.topic, w.payload).ok).toBe(true);
  });

  it('the same seed gives the same messages; another seed differs', async () => {
    const a = (await run(11)).sent.map((m) => JSON.stringify(m.payload).replace(/"itemId":"[^"]+"/g, ''));
    const b = (await run(11)).sent.map((m) => JSON.stringify(m.payload).replace(/"itemId":"[^"]+"/g, ''));
    const c = (await run(12)).sent.map((m) => JSON.stringify(m.payload));
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
  });

  it('fridge temperature cycles in its typical band, and rises when the compressor fails', async () => {
    const clock = new StepClock(Date.UTC(2026, 10, 1));
    const hub = new SimHub({ url, hubId: 'hub-temp', password: 'x', seed: 3, clock });
    await hub.connect();
    const temps: number[] = [];
    const read = async (): Promise<void> => {
      clock.advance(60_000);
      await hub.tick();
      const last = hub.sent.filter((m) => m.topic.endsWith('hub-temp.fridge/telemetry')).at(-1);
      temps.push((last?.payload.metrics as Record<string, number>).fridge_temp_c ?? NaN);
    };
    for (let i = 0; i < 120; i++) await read();
    const healthy = temps.slice(20);
    expect(Math.min(...healthy)).toBeGreaterThan(0);
    expect(Math.max(...healthy)).toBeLessThan(10);
    await hub.injectFault('refrigerator', 'E-CMP-01');
    for (let i = 0; i < 180; i++) await read();
    expect(temps.at(-1)).toBeGreaterThan(Math.max(...healthy) + 3);
    await hub.stop();
  });
});

describe('network imperfections and households', () => {
  it('skews device time, redelivers with the same seq, reorders, batches samples, and a household publishes its fridge', async () => {
    const clock = new StepClock(Date.UTC(2026, 10, 1));
    const wire: { topic: string; payload: Record<string, unknown> }[] = [];
    const hub = new SimHub({
      url: 'mqtt://unused',
      hubId: 'hub-net',
      password: 'x',
      seed: 5,
      clock,
      sink: (topic, payload) => wire.push({ topic, payload: JSON.parse(payload) as Record<string, unknown> }),
      network: { skewMs: 120_000, duplicateRate: 0.3, reorderRate: 0.3, batch: 3 },
      household: true,
      appliances: [{ id: 'hub-net.fridge', type: 'refrigerator' }],
    });
    await hub.connect();
    for (let i = 0; i < 90; i++) {
      clock.advance(60_000);
      await hub.tick();
    }
    const telemetry = wire.filter((m) => m.topic.endsWith('/telemetry'));
    expect(telemetry.every((m) => (m.payload.samples as unknown[]).length === 2)).toBe(true);
    expect(telemetry.every((m) => (m.payload.ts as number) - (m.payload.samples as { ts: number }[])[1]!.ts === 60_000)).toBe(true);
    // The newest reading carries the hub's clock, two minutes ahead (the last message on the wire may be a reordered older one).
    expect(Math.max(...telemetry.map((m) => m.payload.ts as number)) - clock.now()).toBe(120_000);
    const seqs = telemetry.map((m) => m.payload.seq as number);
    expect(new Set(seqs).size).toBeLessThan(seqs.length); // redeliveries
    expect(seqs.some((s, i) => i > 0 && s < (seqs[i - 1] ?? 0))).toBe(true); // out of order
    expect(wire.filter((m) => m.topic.endsWith('/inventory')).length).toBeGreaterThan(0);
  });
});
