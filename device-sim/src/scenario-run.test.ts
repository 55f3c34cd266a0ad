import { describe, expect, it } from 'vitest';
import { decodeUplink } from '@forecare/firmware-contracts';
import { SimHub } from './hub.js';
import { driveScenario, scenarioHubOptions, scenarioNetwork } from './scenario-run.js';
import { eventHubs, loadScenario, scenarioNames, type Label, type Scenario } from './scenarios.js';

const T0 = Date.UTC(2026, 6, 1);

/** What one hub put on the wire, with the simulated time it did. */
interface Wire {
  readonly topic: string;
  readonly payload: string;
  readonly at: number;
}

/** A reading as the hub took it: its time on the simulator's clock (ts minus the hub's skew) and its metrics. */
interface Reading {
  readonly t: number;
  readonly metrics: Record<string, number | boolean>;
}

/** Runs a scenario offline (no broker): every hub's messages go to a list. */
async function simulate(scenario: Scenario, seed = 1000): Promise<{ wire: Wire[][]; labels: Label[]; fleet: SimHub[] }> {
  let now = T0;
  const clock = { now: () => now, realDelay: () => 1 };
  const wire: Wire[][] = [];
  const fleet = Array.from({ length: scenario.hubs }, (_, i) => {
    const hubId = `sim-${String(i).padStart(3, '0')}`;
    const sent: Wire[] = [];
    wire.push(sent);
    return new SimHub({ url: 'mqtt://unused', hubId, password: 'x', clock, ...scenarioHubOptions(scenario, hubId, i, seed), sink: (topic, payload) => sent.push({ topic, payload, at: now }) });
  });
  for (const h of fleet) await h.connect();
  const labels = await driveScenario(scenario, fleet, { start: T0, setTime: (at) => (now = at) });
  return { wire, labels, fleet };
}

/** Every reading of one appliance, batched samples included, each once (redeliveries dropped), in time order. */
function readings(wire: readonly Wire[], applianceId: string, skewMs: number): Reading[] {
  const byTs = new Map<number, Reading>();
  for (const w of wire) {
    if (!w.topic.endsWith(`/appliances/${applianceId}/telemetry`)) continue;
    const p = JSON.parse(w.payload) as { ts: number; metrics: Reading['metrics']; samples?: { ts: number; metrics: Reading['metrics'] }[] };
    for (const r of [...(p.samples ?? []), p]) byTs.set(r.ts - skewMs, { t: r.ts - skewMs, metrics: r.metrics });
  }
  return [...byTs.values()].sort((a, b) => a.t - b.t);
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe.each(scenarioNames())('scenario %s', (name) => {
  const scenario = loadScenario(name);
  const quiet: Scenario = { ...scenario, events: [] };
  const run = simulate(scenario);
  const twin = simulate(quiet); // the same fleet, the same seeds, nothing going wrong

  it('every message validates against firmware-contracts', async () => {
    const { wire } = await run;
    let n = 0;
    for (const w of wire.flat()) {
      const r = decodeUplink(w.topic, w.payload);
      if (!r.ok) expect.fail(`${w.topic}: ${r.reason} ${JSON.stringify(r.errors)}`);
      n++;
    }
    expect(n).toBeGreaterThan(scenario.hubs * (scenario.minutes / (scenario.stepMinutes ?? 1)));
  });

  it('the same seed gives the same messages, another seed others', async () => {
    const again = await simulate(scenario);
    const { wire } = await run;
    expect(again.wire).toEqual(wire);
    expect((await simulate(scenario, 77)).wire.slice(0, 3)).not.toEqual(wire.slice(0, 3));
  });

  it('every event made its labels, at its time', async () => {
    const { labels } = await run;
    const step = scenario.stepMinutes ?? 1;
    expect(labels).toHaveLength(scenario.events.reduce((n, e) => n + eventHubs(e).length, 0));
    for (const e of scenario.events) {
      const due = T0 + Math.ceil(e.atMinutes / step) * step * 60_000;
      const hubs = eventHubs(e).map((i) => `sim-${String(i).padStart(3, '0')}`);
      for (const hubId of hubs) expect(labels.some((l) => l.kind === e.kind && l.hubId === hubId && l.start === due), `${e.kind} on ${hubId}`).toBe(true);
    }
  });

  it('hubs without a label send exactly what they send when nothing goes wrong', async () => {
    const { wire, labels } = await run;
    const quietWire = (await twin).wire;
    const labelled = new Set(labels.map((l) => l.hubId));
    for (let i = 0; i < scenario.hubs; i++) if (!labelled.has(`sim-${String(i).padStart(3, '0')}`)) expect(wire[i]).toEqual(quietWire[i]);
  });

  it("each label's trouble is in the messages: absent before its start, present from it", async () => {
    const { wire, labels, fleet } = await run;
    const quietWire = (await twin).wire;
    for (const l of labels) {
      const i = fleet.findIndex((h) => h.hubId === l.hubId);
      const sent = wire[i] ?? [];
      const skew = scenarioNetwork(scenario, i)?.skewMs ?? 0;
      const what = `${l.kind} on ${l.applianceId ?? l.hubId}`;
      const mine = l.applianceId === null ? [] : readings(sent, l.applianceId, skew);
      const calm = l.applianceId === null ? [] : readings(quietWire[i] ?? [], l.applianceId, skew);
      // Before the label's start the appliance reads exactly as it does in the quiet run.
      expect(mine.filter((r) => r.t < l.start), what).toEqual(calm.filter((r) => r.t < l.start));
      const after = mine.filter((r) => r.t >= l.start);
      const metric = l.fault.split(' ')[0] ?? '';
      switch (l.kind) {
        case 'sudden-fault':
        case 'firmware-bug': {
          const faults = sent.filter((w) => w.topic.endsWith(`/appliances/${l.applianceId ?? ''}/fault`)).map((w) => ({ at: w.at, p: JSON.parse(w.payload) as { code: string; active: boolean } }));
          expect(faults, what).toEqual([{ at: l.start, p: expect.objectContaining({ code: l.fault, active: true }) }]);
          break;
        }
        case 'compressor-degradation': {
          const lastHours = (rs: Reading[]): number => mean(rs.filter((r) => r.t > T0 + (scenario.minutes - 360) * 60_000).map((r) => r.metrics.fridge_temp_c as number));
          expect(lastHours(mine), what).toBeGreaterThan(lastHours(calm) + 2);
          break;
        }
        case 'sensor-dropout':
          expect(after.length, what).toBeGreaterThan(10);
          expect(after.every((r) => !(metric in r.metrics)), what).toBe(true);
          expect(mine.filter((r) => r.t < l.start).every((r) => metric in r.metrics), what).toBe(true);
          break;
        case 'sensor-stuck': {
          expect(after.length, what).toBeGreaterThan(10);
          expect(new Set(after.map((r) => r.metrics[metric])).size, `${what}: one value`).toBe(1);
          // …while the physics moved: the quiet run's sensor reads many values over the same time.
          expect(new Set(calm.filter((r) => r.t >= l.start).map((r) => r.metrics[metric])).size, what).toBeGreaterThan(10);
          break;
        }
        case 'hub-unplugged':
          expect(sent.every((w) => w.at < l.start), what).toBe(true);
          expect((quietWire[i] ?? []).some((w) => w.at >= l.start), what).toBe(true);
          break;
        case 'appliance-unplugged':
          expect(after, what).toEqual([]);
          expect(sent.some((w) => w.topic.endsWith('/heartbeat') && w.at > l.start), `${what}: the hub goes on`).toBe(true);
          break;
      }
    }
  });
});
