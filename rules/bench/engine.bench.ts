/**
 * Engine benchmark: telemetry events per second through the engine with 10, 100 and 10,000
 * rules, against a bare loop over the same events in the same run; and heap per idle
 * appliance with offline and stale timers armed. Run with `npm run bench -w rules`
 * (node --expose-gc). Prints one final JSON line.
 */
import { APPLIANCE_TYPES, applianceCatalog, type ApplianceType } from '@forecare/firmware-contracts';
import type { EngineInput } from '../dist/api.js';
import { Engine } from '../dist/engine.js';
import type { RuleDef } from '../dist/rule-format.js';

const gc = (globalThis as { gc?: () => void }).gc;
const T0 = Date.UTC(2026, 0, 1);

/** A deterministic PRNG so every run measures the same events. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function events(count: number, appliances: number): EngineInput[] {
  const r = rng(42);
  const out: EngineInput[] = [];
  const seqs = new Array<number>(appliances).fill(0);
  for (let i = 0; i < count; i++) {
    const n = Math.floor(r() * appliances);
    const type = APPLIANCE_TYPES[n % APPLIANCE_TYPES.length] as ApplianceType;
    const metrics: Record<string, number> = {};
    for (const m of applianceCatalog[type].metrics) if (m.type !== 'boolean') metrics[m.name] = m.typical[0] + r() * (m.typical[1] - m.typical[0]);
    seqs[n] = (seqs[n] ?? 0) + 1;
    const at = T0 + i * 10;
    out.push({ kind: 'telemetry', hubId: `hub-${Math.floor(n / 2)}`, applianceId: `app-${n}`, applianceType: type, seq: seqs[n] ?? 0, deviceTs: at, at, metrics });
  }
  return out;
}

const PAIRS = APPLIANCE_TYPES.flatMap((t) => applianceCatalog[t].metrics.filter((m) => m.type !== 'boolean').map((m) => ({ t, m })));
/** The catalog's (type, metric) pairs taken round-robin over the types, so every type has live rules early. */
const SPREAD = [...PAIRS].sort((x, y) => PAIRS.filter((p) => p.t === x.t).indexOf(x) - PAIRS.filter((p) => p.t === y.t).indexOf(y) || APPLIANCE_TYPES.indexOf(x.t) - APPLIANCE_TYPES.indexOf(y.t));

/**
 * `n` threshold rules as a real rule set has them: each for one appliance type and one
 * metric. The first `live` rules watch the catalog's metrics, which these appliances send;
 * the rest watch metrics of other models and firmware versions (`x_<i>`) that they do not.
 */
function ruleSet(n: number, live: number): RuleDef[] {
  return Array.from({ length: n }, (_, i) => {
    const p = SPREAD[i % SPREAD.length];
    const t = p?.t ?? 'refrigerator';
    const metric = i < live ? (p?.m.name ?? 'x') : `x_${i}`;
    const limit = (p?.m.typical[1] ?? 1) * 1.5;
    return { id: `rule-${i}`, kind: 'threshold', appliesTo: [t], raises: ['ticket'], condition: `metrics.${metric} > ${limit}`, params: { for: '10m' } } satisfies RuleDef;
  });
}

/** Median of 5 timed rounds after a warm-up; `setup` (not timed) builds what a round needs. */
function measure<S>(label: string, setup: () => S, fn: (s: S) => number, events: number): number {
  fn(setup()); // warm up
  const rounds: number[] = [];
  for (let i = 0; i < 5; i++) {
    const s = setup();
    const t = process.hrtime.bigint();
    fn(s);
    rounds.push(events / (Number(process.hrtime.bigint() - t) / 1e9));
  }
  rounds.sort((a, b) => a - b);
  const median = rounds[2] ?? 0;
  console.log(`${label}: ${Math.round(median).toLocaleString('en')} events/s`);
  return median;
}

const EVENTS = 200_000;
const input = events(EVENTS, 10_000);

// Baseline: the least any engine must do per event — find the appliance's state and store its values.
const baseline = measure('bare loop (per-appliance map + copy metrics)', () => new Map<string, Record<string, number | boolean>>(), (state) => {
  let n = 0;
  for (const e of input) {
    if (e.kind !== 'telemetry') continue;
    const s = state.get(e.applianceId) ?? {};
    Object.assign(s, e.metrics);
    state.set(e.applianceId, s);
    n++;
  }
  return n;
}, EVENTS);

function engineRun(label: string, rules: RuleDef[]): number {
  // A fresh engine each round, compiled outside the timing: rules compile once per deploy, not per event.
  return measure(label, () => new Engine({ rules }), (engine) => {
    let alarms = 0;
    for (const e of input) alarms += engine.ingest(e).length;
    return alarms;
  }, EVENTS);
}

// Scaling: the same 10 live rules, plus rules for other models — what having more rules costs.
const perRules: Record<string, number> = {};
for (const n of [10, 100, 10_000]) perRules[String(n)] = engineRun(`engine, ${n} rules (10 live)`, ruleSet(n, 10));
// Every catalog metric of every type watched (${PAIRS.length} live rules): more work per event.
const allWatched: Record<string, number> = {};
for (const n of [100, 10_000]) allWatched[String(n)] = engineRun(`engine, ${n} rules (${PAIRS.length} live: every catalog metric watched)`, ruleSet(n, PAIRS.length));

// Memory: idle appliances with an offline and a stale timer each.
const APPLIANCES = Number(process.env.BENCH_APPLIANCES ?? 1_000_000);
const timerRules: RuleDef[] = [
  { id: 'hub-offline', kind: 'hub-offline', raises: ['ticket'], params: { silentFor: '10m' } },
  { id: 'appliance-silent', kind: 'appliance-offline', raises: ['fleet'], params: { silentFor: '2h' } },
  { id: 'stale', kind: 'stale', raises: ['fleet'], appliesTo: ['refrigerator'], params: { metric: 'fridge_temp_c', after: '1h' } },
];
// Heap plus typed-array backing stores (the engine keeps appliance state in typed arrays, which live outside the JS heap).
const used = (): number => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
gc?.();
const heapBefore = used();
const engine = new Engine({ rules: timerRules });
for (let i = 0; i < APPLIANCES; i++) {
  engine.ingest({ kind: 'telemetry', hubId: `h${i >> 1}`, applianceId: `a${i}`, applianceType: 'refrigerator', seq: 1, deviceTs: T0, at: T0 + (i % 1000), metrics: { fridge_temp_c: 4 } });
}
gc?.();
const heapAfter = used();
const bytesPerAppliance = Math.round((heapAfter - heapBefore) / APPLIANCES);
console.log(`${APPLIANCES.toLocaleString('en')} idle appliances with offline + stale timers (${engine.timerCount.toLocaleString('en')} timers): ${bytesPerAppliance} bytes each, heap + typed arrays (includes their hubs)`);

const r100 = perRules['100'] ?? 0;
const r10 = perRules['10'] ?? 0;
const r10k = perRules['10000'] ?? 0;
console.log(
  JSON.stringify({
    name: 'rules engine throughput and memory',
    eventsPerSec: { rules10: Math.round(r10), rules100: Math.round(r100), rules10000: Math.round(r10k) },
    eventsPerSecAllMetricsWatched: { rules100: Math.round(allWatched['100'] ?? 0), rules10000: Math.round(allWatched['10000'] ?? 0), liveRules: PAIRS.length },
    baseline: { name: 'bare loop: per-appliance map + copy metrics', eventsPerSec: Math.round(baseline) },
    ratio: { baselineOverEngine100: Math.round((baseline / r100) * 100) / 100, baselineOverEngine100AllWatched: Math.round((baseline / (allWatched['100'] ?? 1)) * 100) / 100, cost10kVs10: Math.round((r10 / r10k - 1) * 1000) / 1000 },
    targets: { rules100EventsPerSec: 500_000, cost10kVs10Max: 0.1, bytesPerApplianceMax: 200 },
    bytesPerIdleAppliance: bytesPerAppliance,
    appliances: APPLIANCES,
    gcExposed: gc !== undefined,
  }),
);
