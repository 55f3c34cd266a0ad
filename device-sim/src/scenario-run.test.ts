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
  const faultsOf = (sent: readonly Wire[], applianceId: string | null, code: string): { at: number; p: { code: string; active: boolean } }[] =>
    sent
      .filter((w) => w.topic.endsWith(`/appliances/${applianceId ?? ''}/fault`))
      .map((w) => ({ at: w.at, p: JSON.parse(w.payload) as { code: string; active: boolean } }))
      .filter((f) => f.p.code === code);
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
  }, 120_000); // two whole runs of the scenario: 24–36 s on a loaded 2-core machine, past the 30 s default

  it('every event made its labels, at its time', async () => {
    const { labels } = await run;
    const step = scenario.stepMinutes ?? 1;
    expect(labels).toHaveLength(scenario.events.reduce((n, e) => n + eventHubs(e).length, 0));
    for (const e of scenario.events) {
      const due = T0 + Math.ceil(e.atMinutes / step) * step * 60_000;
      const hubs = eventHubs(e).map((i) => `sim-${String(i).padStart(3, '0')}`);
      const kind = e.kind === 'hub-outage' ? 'hub-unplugged' : e.kind;
      for (const hubId of hubs) expect(labels.some((l) => l.kind === kind && l.hubId === hubId && l.start === due), `${e.kind} on ${hubId}`).toBe(true);
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
      // Before the label's start the appliance reads exactly as it does in the quiet run (but for a reading still held back in the network when it began).
      const settled = l.start - 2 * (scenario.stepMinutes ?? 1) * 60_000;
      expect(mine.filter((r) => r.t < settled), what).toEqual(calm.filter((r) => r.t < settled));
      const after = mine.filter((r) => r.t >= l.start);
      const metric = l.fault.split(' ')[0] ?? '';
      switch (l.kind) {
        case 'sudden-fault':
        case 'firmware-bug': {
          // The code, once, when the trouble began (a fridge's firmware may add codes of its own, such as W-TMP-01 as it warms).
          expect(faultsOf(sent, l.applianceId, l.fault), what).toEqual([{ at: l.start, p: expect.objectContaining({ code: l.fault, active: true }) }]);
          break;
        }
        case 'repeated-fault': {
          const faults = faultsOf(sent, l.applianceId, l.fault);
          expect(faults.filter((f) => f.p.active).length, what).toBe(l.occurrences);
          expect(faults.filter((f) => !f.p.active).length, what).toBe(l.occurrences);
          expect(faults[0]?.at, what).toBe(l.start);
          break;
        }
        case 'door-left-open': {
          const during = after.filter((r) => r.t < (l.end ?? Infinity));
          expect(during.length, what).toBeGreaterThan(1);
          expect(during.every((r) => r.metrics.door_open === true), what).toBe(true);
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
          // Nothing while it is away (for good, or until it is back with its backlog) but its last will, as it left.
          expect(sent.filter((w) => w.at >= l.start && w.at < (l.end ?? Infinity)).map((w) => [w.at, w.topic, JSON.parse(w.payload) as unknown]), what).toEqual([[l.start, `forecare/v1/${l.hubId}/status`, expect.objectContaining({ state: 'offline' })]]);
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
