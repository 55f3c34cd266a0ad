import { APPLIANCE_TYPES, itemExpiresAt, lookupFault, type ApplianceType, type Severity } from '@forecare/firmware-contracts';
import type { AlarmEvent, AlarmState, EngineInput, RaiseTarget } from './api.js';
import { compileCondition, type Condition } from './condition.js';
import { DURATION_PARAMS, paramDuration, paramNumber, type ParamValue, type RuleDef } from './rule-format.js';
import { TimingWheel } from './timing-wheel.js';

type AlarmStatus = 'raised' | 'acknowledged' | 'cleared';

interface AlarmRec {
  alarmKey: string;
  ruleId: string;
  hubId: string;
  applianceId?: string | undefined;
  applianceType?: ApplianceType | undefined;
  key: string;
  status: AlarmStatus;
  severity: Severity;
  raises: RaiseTarget[];
  title: string;
  count: number;
  firstSeen: number;
  lastSeen: number;
  level: number;
  fault?: { code: string; faultClass: string } | undefined;
  items?: { itemId: string; name: string; expiresAt: number; expired: boolean }[] | undefined;
  facts?: Record<string, string | number | boolean> | undefined;
}

interface HubRec {
  lastSeen: number;
  offline: boolean;
}

interface ApplianceRec {
  hubId: string;
  type: ApplianceType;
  lastSeen: number;
  /** Latest device time applied to the current-value state (older readings only feed trends). */
  lastDeviceTs: number;
  /** Recent seqs, newest last: a repeat is a QoS 1 redelivery. */
  seqs: number[];
  metrics: Record<string, number | boolean>;
  state: Record<string, string | boolean>;
  /** When each metric was last reported (server time), for stale rules. */
  updated: Record<string, number>;
}

/** Per (subject, rule) working state of a rule that is not itself an alarm yet. */
interface RuleWork {
  /** threshold: since when the condition has held (pending raise), or the clear condition (pending clear). */
  pendingSince?: number | undefined;
  clearingSince?: number | undefined;
  /** repeat: times of occurrences inside the window. */
  occurrences?: number[] | undefined;
  /** trend: (server time, value) samples inside the window, sorted by time. */
  samples?: [number, number][] | undefined;
}

interface Snapshot {
  v: 2;
  version: number;
  alarms: AlarmRec[];
  hubs: [string, HubRec][];
  appliances: [string, ApplianceRec][];
  work: [string, RuleWork][];
  timers: [string, number][];
  wheel: number;
}

export interface EngineOptions {
  readonly rules: readonly RuleDef[];
  readonly version?: number | undefined;
  readonly overrides?: Readonly<Record<string, Readonly<Record<string, ParamValue>>>> | undefined;
}

interface CompiledRule {
  readonly def: RuleDef;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly condition?: Condition | undefined;
  readonly clear?: Condition | undefined;
  /** Metric names the conditions read (`metrics.x`); null when they read metrics some other way. */
  readonly reads: ReadonlySet<string> | null;
  /** Position in the rule set: events of one message come out in rule order. */
  readonly order: number;
}

/** The metric names a CEL condition reads, when it names them as `metrics.<name>`; null when it may read any. */
function metricsRead(...expressions: (string | undefined)[]): ReadonlySet<string> | null {
  const names = new Set<string>();
  for (const e of expressions) {
    if (e === undefined) continue;
    const rest = e.replace(/metrics\.([A-Za-z_][A-Za-z0-9_]*)/g, (_m, name: string) => {
      names.add(name);
      return '';
    });
    // Conditions on state (or metrics read by other means) are re-judged on every message.
    if (/\b(metrics|state)\b/.test(rest)) return null;
  }
  return names;
}

const DAY_MS = 86_400_000;
const NONE: readonly CompiledRule[] = [];
const TREND_SAMPLES = 200;
const SEQ_WINDOW = 32;

interface RaiseInput {
  hubId: string;
  applianceId?: string | undefined;
  applianceType?: ApplianceType | undefined;
  key: string;
  at: number;
  title: string;
  severity?: Severity | undefined;
  fault?: AlarmRec['fault'];
  items?: AlarmRec['items'];
  facts?: AlarmRec['facts'];
  subject?: string | undefined;
}

/**
 * The detection engine. Pure: inputs and time come in, alarm events go out — no clock, no
 * I/O, no globals. One alarm per (subject, rule, key): however fast messages arrive, a
 * second one updates the alarm. Timers (offline, stale, threshold durations, escalation)
 * live in a timing wheel and fire from `tick` or before the next input.
 */
export class Engine {
  private rules: CompiledRule[] = [];
  private version: number;
  private readonly overrides: EngineOptions['overrides'];
  private readonly alarmsByKey = new Map<string, AlarmRec>();
  private readonly hubs = new Map<string, HubRec>();
  private readonly appliances = new Map<string, ApplianceRec>();
  private readonly work = new Map<string, RuleWork>();
  private timers = new TimingWheel(1000, 4096);
  private byKind = new Map<string, CompiledRule[]>();
  private byId = new Map<string, CompiledRule>();
  /** kind|type → metric → rules reading it ('*' = rules that read metrics opaquely). */
  private byMetric = new Map<string, Map<string, CompiledRule[]>>();
  /** appliance → rule ids that may hold working state or an open alarm there (a superset; lets the common case skip all lookups). */
  private readonly busy = new Map<string, Set<string>>();

  constructor(opts: EngineOptions) {
    this.version = opts.version ?? 1;
    this.overrides = opts.overrides;
    this.setRules(opts.rules);
  }

  private setRules(rules: readonly RuleDef[]): void {
    this.rules = rules.map((def, order) => {
      const params: Record<string, ParamValue> = { ...def.params, ...(this.overrides?.[def.id] ?? {}) };
      // Durations are read on hot paths: turn '10m' into milliseconds once.
      for (const [k, v] of Object.entries(params)) if (typeof v === 'string' && DURATION_PARAMS.has(k)) params[k] = paramDuration(v, 0);
      const cond = def.condition !== undefined ? compileCondition(def.condition) : undefined;
      const clear = def.clear !== undefined ? compileCondition(def.clear) : undefined;
      const reads = def.kind === 'threshold' || def.kind === 'repeat' ? metricsRead(def.condition, def.clear) : new Set<string>();
      return { def, params, condition: cond?.ok === true ? cond.condition : undefined, clear: clear?.ok === true ? clear.condition : undefined, reads, order };
    });
    this.byKind = new Map();
    this.byId = new Map();
    this.byMetric = new Map();
    for (const r of this.rules) {
      this.byId.set(r.def.id, r);
      const types = r.def.appliesTo !== undefined && r.def.appliesTo.length > 0 ? r.def.appliesTo : APPLIANCE_TYPES;
      this.byKind.set(r.def.kind, [...(this.byKind.get(r.def.kind) ?? []), r]);
      for (const t of types) {
        const k = `${r.def.kind}|${t}`;
        const list = this.byKind.get(k) ?? [];
        list.push(r);
        this.byKind.set(k, list);
        if (r.def.kind !== 'threshold' && r.def.kind !== 'repeat') continue;
        // Index value rules by the metrics they read, so a message only wakes the rules it can change.
        const index = this.byMetric.get(k) ?? new Map<string, CompiledRule[]>();
        this.byMetric.set(k, index);
        for (const m of r.reads === null || r.reads.size === 0 ? ['*'] : [...r.reads]) {
          const ml = index.get(m) ?? [];
          ml.push(r);
          index.set(m, ml);
        }
      }
    }
  }

  private readonly thresholdKeys = new Map<string, string>(APPLIANCE_TYPES.map((t) => [t, `threshold|${t}`]));

  private thresholdKey(type: ApplianceType): string {
    return this.thresholdKeys.get(type) ?? `threshold|${type}`;
  }

  private kind(kind: RuleDef['kind'], type?: ApplianceType): readonly CompiledRule[] {
    return this.byKind.get(type === undefined ? kind : `${kind}|${type}`) ?? NONE;
  }

  /** Threshold or repeat rules of a type that read any of these metrics (or read metrics opaquely), in rule order. */
  private reading(kind: 'threshold' | 'repeat', type: ApplianceType, metrics: Readonly<Record<string, unknown>>): readonly CompiledRule[] {
    const key = kind === 'threshold' ? this.thresholdKey(type) : `${kind}|${type}`;
    const all = this.byKind.get(key);
    if (all === undefined) return NONE;
    if (all.length <= 64) {
      // Few rules: a direct check per rule is cheaper than merging index lists.
      let picked: CompiledRule[] | undefined;
      for (let i = 0; i < all.length; i++) {
        const r = all[i] as CompiledRule;
        if (r.reads === null || r.reads.size === 0 || readsAny(r.reads, metrics)) (picked ??= []).push(r);
        else if (picked === undefined && i === all.length - 1) return NONE;
      }
      return picked ?? NONE;
    }
    const index = this.byMetric.get(key);
    if (index === undefined) return NONE;
    let hit: CompiledRule[] | undefined;
    let many = false;
    const take = (rules: readonly CompiledRule[] | undefined): void => {
      if (rules === undefined) return;
      if (hit === undefined) hit = rules as CompiledRule[];
      else {
        if (!many) {
          hit = [...hit];
          many = true;
        }
        for (const r of rules) hit.push(r);
      }
    };
    take(index.get('*'));
    for (const m in metrics) take(index.get(m));
    if (hit === undefined) return NONE;
    if (!many) return hit;
    // Several metrics wake overlapping rules: once each, in rule order (deterministic events).
    return [...new Set(hit)].sort((x, y) => x.order - y.order);
  }

  // ── inputs ────────────────────────────────────────────────────────────────

  ingest(input: EngineInput): AlarmEvent[] {
    const out = this.tick(input.at);
    if (input.kind !== 'status' && input.kind !== 'heartbeat') {
      const a = this.appliance(input);
      if (a.seqs.includes(input.seq)) return out; // a redelivery: already applied
      a.seqs.push(input.seq);
      if (a.seqs.length > SEQ_WINDOW) a.seqs.shift();
      a.lastSeen = Math.max(a.lastSeen, input.at);
      this.armApplianceTimers(input.applianceId, a, input.at, out);
    }
    this.touchHub(input, out);
    switch (input.kind) {
      case 'fault':
        this.onFault(input, out);
        break;
      case 'inventory':
        this.onInventory(input, out);
        break;
      case 'telemetry':
        this.onTelemetry(input, out);
        break;
      case 'heartbeat':
      case 'status':
        break;
    }
    return out;
  }

  private appliance(input: Extract<EngineInput, { applianceId: string }>): ApplianceRec {
    let a = this.appliances.get(input.applianceId);
    if (a === undefined) {
      a = { hubId: input.hubId, type: input.applianceType, lastSeen: input.at, lastDeviceTs: -Infinity, seqs: [], metrics: {}, state: {}, updated: {} };
      this.appliances.set(input.applianceId, a);
    }
    return a;
  }

  /** Fires every timer due at or before `now`; each event carries its due time. */
  tick(now: number): AlarmEvent[] {
    const out: AlarmEvent[] = [];
    // A fired timer may arm another that is already due (the next escalation level).
    for (let fired = this.timers.advance(now); fired.length > 0; fired = this.timers.advance(now)) {
      for (const { key, at } of fired) this.onTimer(key, at, out);
    }
    return out;
  }

  private onTimer(key: string, at: number, out: AlarmEvent[]): void {
    const [type, ...rest] = key.split('|');
    const id = rest[0] ?? '';
    switch (type) {
      case undefined:
        return;
      case 'hub': {
        const hub = this.hubs.get(id);
        if (hub === undefined || hub.offline) return;
        hub.offline = true;
        for (const r of this.kind('hub-offline')) this.raise(r, { hubId: id, key: 'hub', at, title: `Hub ${id} offline`, facts: { silentSinceMs: hub.lastSeen } }, out);
        return;
      }
      case 'app': {
        const ruleId = rest[1] ?? '';
        const a = this.appliances.get(id);
        const r = this.byId.get(ruleId);
        if (a === undefined || r === undefined || this.hubs.get(a.hubId)?.offline === true) return;
        this.raise(r, { hubId: a.hubId, applianceId: id, applianceType: a.type, key: 'silent', at, title: `Appliance ${id} silent while its hub is online`, facts: { silentSinceMs: a.lastSeen } }, out);
        return;
      }
      case 'stale': {
        const ruleId = rest[1] ?? '';
        const a = this.appliances.get(id);
        const r = this.byId.get(ruleId);
        if (a === undefined || r === undefined || this.hubs.get(a.hubId)?.offline === true) return;
        const metric = String(r.params.metric);
        this.raise(r, { hubId: a.hubId, applianceId: id, applianceType: a.type, key: metric, at, title: `${metric} not updated`, facts: { metric, lastUpdatedMs: a.updated[metric] ?? a.lastSeen } }, out);
        return;
      }
      case 'thr': {
        // A threshold condition has held for its duration.
        const ruleId = rest[1] ?? '';
        const a = this.appliances.get(id);
        const r = this.byId.get(ruleId);
        const w = this.work.get(`${id}|${ruleId}`);
        if (a === undefined || r === undefined || w?.pendingSince === undefined) return;
        w.pendingSince = undefined;
        this.raiseThreshold(r, id, a, at, out);
        return;
      }
      case 'thc': {
        const ruleId = rest[1] ?? '';
        const r = this.byId.get(ruleId);
        const w = this.work.get(`${id}|${ruleId}`);
        if (r === undefined || w?.clearingSince === undefined) return;
        w.clearingSince = undefined;
        this.clear(`${id}|${ruleId}|${ruleId}`, at, out);
        return;
      }
      case 'esc': {
        const alarmKey = rest.join('|');
        const rec = this.alarmsByKey.get(alarmKey);
        const r = rec === undefined ? undefined : this.byId.get(rec.ruleId);
        if (rec === undefined || r === undefined || rec.status !== 'raised') return;
        rec.level++;
        out.push(this.event(rec, 'escalated', at));
        if (rec.level < paramNumber(r.params.escalateLevels, 2)) this.timers.set(key, at + paramDuration(r.params.escalateAfter, 0));
        return;
      }
      default:
        return;
    }
  }

  private touchHub(input: EngineInput, out: AlarmEvent[]): void {
    let hub = this.hubs.get(input.hubId);
    if (hub === undefined) {
      hub = { lastSeen: input.at, offline: false };
      this.hubs.set(input.hubId, hub);
    }
    const rules = this.kind('hub-offline');
    if (input.kind === 'status' && input.state === 'offline') {
      // The last will: the broker lost the hub. Raise now, stop the timer.
      this.timers.cancel(`hub|${input.hubId}`);
      hub.offline = true;
      for (const r of rules) this.raise(r, { hubId: input.hubId, key: 'hub', at: input.at, title: `Hub ${input.hubId} offline (last will)`, facts: { silentSinceMs: hub.lastSeen } }, out);
      return;
    }
    hub.lastSeen = Math.max(hub.lastSeen, input.at);
    if (hub.offline) {
      hub.offline = false;
      for (const r of rules) this.clear(`${input.hubId}|${r.def.id}|hub`, input.at, out);
      // The hub is back: its appliances' silence is measured from now.
      for (const [id, a] of this.appliances) if (a.hubId === input.hubId) this.armApplianceTimers(id, a, input.at, out, true);
    }
    let silentFor = Infinity;
    for (const r of rules) silentFor = Math.min(silentFor, paramDuration(r.params.silentFor, 600_000));
    if (Number.isFinite(silentFor)) this.timers.set(`hub|${input.hubId}`, hub.lastSeen + silentFor);
  }

  private armApplianceTimers(applianceId: string, a: ApplianceRec, at: number, out: AlarmEvent[], hubBack = false): void {
    for (const r of this.kind('appliance-offline', a.type)) {
      if (!hubBack) this.clear(`${applianceId}|${r.def.id}|silent`, at, out);
      this.timers.set(`app|${applianceId}|${r.def.id}`, at + paramDuration(r.params.silentFor, 3_600_000));
    }
    if (hubBack) {
      for (const r of this.kind('stale', a.type)) this.timers.set(`stale|${applianceId}|${r.def.id}`, at + paramDuration(r.params.after, 3_600_000));
    }
  }

  private onFault(input: Extract<EngineInput, { kind: 'fault' }>, out: AlarmEvent[]): void {
    const spec = lookupFault(input.applianceType, input.code);
    for (const r of this.kind('fault-code', input.applianceType)) {
      const alarmKey = `${input.applianceId}|${r.def.id}|${input.code}`;
      if (!input.active) {
        this.clear(alarmKey, input.at, out);
        continue;
      }
      this.raise(
        r,
        {
          hubId: input.hubId,
          applianceId: input.applianceId,
          applianceType: input.applianceType,
          key: input.code,
          at: input.at,
          severity: r.def.severity ?? spec?.severity ?? 'warning',
          title: spec !== undefined ? `${input.code}: ${spec.meaning}` : `Unknown fault ${input.code}`,
          fault: { code: input.code, faultClass: spec?.faultClass ?? 'unknown' },
        },
        out,
      );
    }
    if (input.active) {
      for (const r of this.kind('repeat', input.applianceType)) {
        const ctx = { fault: { code: input.code, faultClass: spec?.faultClass ?? 'unknown', severity: spec?.severity ?? 'warning' }, type: input.applianceType, params: r.params };
        const matches = typeof r.params.code === 'string' ? r.params.code === input.code : r.condition?.(ctx) === true;
        if (matches) this.occurrence(r, input.applianceId, input.hubId, input.applianceType, input.at, out, { code: input.code, faultClass: spec?.faultClass ?? 'unknown' });
      }
    }
    this.composites(input.applianceId, input.hubId, input.applianceType, input.at, out);
  }

  private onTelemetry(input: Extract<EngineInput, { kind: 'telemetry' }>, out: AlarmEvent[]): void {
    const a = this.appliance(input);
    const current = input.deviceTs >= a.lastDeviceTs;
    // Trends take every sample in time order; the current-value rules only the newest.
    for (const r of this.kind('trend', a.type)) {
      const metric = String(r.params.metric);
      const v = input.metrics[metric];
      // A trend's condition picks the samples that count (e.g. not during a defrost cycle).
      if (typeof v === 'number' && (r.condition === undefined || r.condition({ metrics: input.metrics, state: input.state ?? {}, type: a.type, params: r.params }))) {
        this.trendSample(r, input.applianceId, a, input.at, v, out);
      }
    }
    if (!current) return;
    a.lastDeviceTs = input.deviceTs;
    Object.assign(a.metrics, input.metrics);
    if (input.state !== undefined) Object.assign(a.state, input.state);
    for (const name of Object.keys(input.metrics)) a.updated[name] = input.at;
    for (const r of this.kind('stale', a.type)) {
      const metric = String(r.params.metric);
      if (input.metrics[metric] === undefined) continue;
      this.clear(`${input.applianceId}|${r.def.id}|${metric}`, input.at, out);
      this.timers.set(`stale|${input.applianceId}|${r.def.id}`, input.at + paramDuration(r.params.after, 3_600_000));
    }
    const ctx = { metrics: a.metrics, state: a.state, type: a.type, params: {} as Record<string, ParamValue> };
    for (const r of this.reading('threshold', a.type, input.metrics)) {
      ctx.params = r.params;
      this.threshold(r, input.applianceId, a, input.at, r.condition?.(ctx) === true, r.clear !== undefined ? r.clear(ctx) : undefined, out);
    }
    for (const r of this.reading('repeat', a.type, input.metrics)) {
      if (typeof r.params.code === 'string') continue;
      ctx.params = r.params;
      if (r.condition?.(ctx) === true) this.occurrence(r, input.applianceId, a.hubId, a.type, input.at, out);
    }
    this.composites(input.applianceId, a.hubId, a.type, input.at, out);
  }

  /** Threshold with duration and hysteresis: raise after `for` of the condition, clear after `clearFor` of the clear condition. */
  private markBusy(applianceId: string, ruleId: string): void {
    let set = this.busy.get(applianceId);
    if (set === undefined) {
      set = new Set();
      this.busy.set(applianceId, set);
    }
    set.add(ruleId);
  }

  private threshold(r: CompiledRule, applianceId: string, a: ApplianceRec, at: number, holds: boolean, clears: boolean | undefined, out: AlarmEvent[]): void {
    // The common case: nothing pending, no alarm, condition false — nothing to look up.
    if (!holds && this.busy.get(applianceId)?.has(r.def.id) !== true) return;
    this.markBusy(applianceId, r.def.id);
    const wkey = `${applianceId}|${r.def.id}`;
    const w = this.work.get(wkey) ?? {};
    const alarmKey = `${applianceId}|${r.def.id}|${r.def.id}`;
    const active = this.alarmsByKey.has(alarmKey);
    const forMs = paramDuration(r.params.for, 0);
    const clearForMs = paramDuration(r.params.clearFor, 0);
    if (!active) {
      if (!holds) {
        if (w.pendingSince !== undefined) this.timers.cancel(`thr|${applianceId}|${r.def.id}`);
        w.pendingSince = undefined;
      } else if (w.pendingSince === undefined) {
        if (forMs === 0) this.raiseThreshold(r, applianceId, a, at, out);
        else {
          w.pendingSince = at;
          this.timers.set(`thr|${applianceId}|${r.def.id}`, at + forMs);
        }
      }
    } else {
      // With hysteresis the alarm ends only on the clear condition, not when the raise condition stops.
      const ending = clears ?? !holds;
      if (!ending) {
        if (w.clearingSince !== undefined) this.timers.cancel(`thc|${applianceId}|${r.def.id}`);
        w.clearingSince = undefined;
      } else if (w.clearingSince === undefined) {
        if (clearForMs === 0) this.clear(alarmKey, at, out);
        else {
          w.clearingSince = at;
          this.timers.set(`thc|${applianceId}|${r.def.id}`, at + clearForMs);
        }
      }
    }
    if (w.pendingSince === undefined && w.clearingSince === undefined) {
      this.work.delete(wkey);
      if (!this.alarmsByKey.has(alarmKey)) this.busy.get(applianceId)?.delete(r.def.id);
    } else this.work.set(wkey, w);
  }

  private raiseThreshold(r: CompiledRule, applianceId: string, a: ApplianceRec, at: number, out: AlarmEvent[]): void {
    const facts: Record<string, string | number | boolean> = {};
    for (const [k, v] of Object.entries(a.metrics)) facts[k] = v;
    this.raise(r, { hubId: a.hubId, applianceId, applianceType: a.type, key: r.def.id, at, title: r.def.description ?? r.def.id, facts }, out);
  }

  /** Repeat: N occurrences inside the window raise one alarm; more update it. */
  private occurrence(r: CompiledRule, applianceId: string, hubId: string, type: ApplianceType, at: number, out: AlarmEvent[], fault?: AlarmRec['fault']): void {
    const wkey = `${applianceId}|${r.def.id}`;
    const w = this.work.get(wkey) ?? {};
    const window = paramDuration(r.params.window, 3_600_000);
    const times = (w.occurrences ?? []).filter((t) => t > at - window);
    times.push(at);
    w.occurrences = times;
    this.work.set(wkey, w);
    if (times.length >= paramNumber(r.params.count, 3)) {
      this.raise(r, { hubId, applianceId, applianceType: type, key: r.def.id, at, title: r.def.description ?? `${r.def.id}: ${times.length} times in ${window / 60_000} min`, fault, facts: { occurrences: times.length } }, out);
    }
  }

  /** Trend: least-squares slope (units per hour) over the window; raise above slopeAbove (or below slopeBelow). */
  private trendSample(r: CompiledRule, applianceId: string, a: ApplianceRec, at: number, value: number, out: AlarmEvent[]): void {
    const wkey = `${applianceId}|${r.def.id}`;
    const w = this.work.get(wkey) ?? {};
    const window = paramDuration(r.params.window, 3_600_000);
    // At most ~200 samples a window, whatever the message rate: a flooding appliance must not
    // make every message cost a regression over millions of points.
    const spacing = window / TREND_SAMPLES;
    const kept = w.samples ?? [];
    const newest = kept[kept.length - 1];
    if (newest !== undefined && at >= newest[0] && at - newest[0] < spacing) return;
    const samples = kept[0] !== undefined && kept[0][0] <= at - window ? kept.filter(([t]) => t > at - window) : kept;
    let i = samples.length;
    while (i > 0 && (samples[i - 1] as [number, number])[0] > at) i--;
    samples.splice(i, 0, [at, value]);
    w.samples = samples;
    this.work.set(wkey, w);
    const first = samples[0];
    // A slope over W needs (nearly) W of data: half a window right after a start or a gap is too noisy to judge.
    if (samples.length < paramNumber(r.params.minSamples, 5) || first === undefined || at - first[0] < window * 0.9) return;
    const slope = slopePerHour(samples);
    const above = r.params.slopeAbove;
    const below = r.params.slopeBelow;
    // An optional level gate: warming only counts once the value is also past `above` (a defrost's warm step is not).
    const gate = r.params.above;
    const rising = typeof above === 'number' && slope > above && (typeof gate !== 'number' || value > gate);
    const falling = typeof below === 'number' && slope < below;
    const alarmKey = `${applianceId}|${r.def.id}|${String(r.params.metric)}`;
    if (rising || falling) {
      if (!this.alarmsByKey.has(alarmKey)) {
        this.raise(r, { hubId: a.hubId, applianceId, applianceType: a.type, key: String(r.params.metric), at, title: r.def.description ?? `${String(r.params.metric)} trending`, facts: { slopePerHour: round3(slope), metric: String(r.params.metric) } }, out);
      }
    } else {
      // Hysteresis for trends: clear only when the slope is back under half the threshold.
      const calm = (typeof above === 'number' ? slope < above / 2 : true) && (typeof below === 'number' ? slope > below / 2 : true);
      if (calm) this.clear(alarmKey, at, out);
    }
  }

  /** Composite: all (or any) of `of` alarmed on this appliance, and none of `unless`. */
  private composites(applianceId: string, hubId: string, type: ApplianceType, at: number, out: AlarmEvent[]): void {
    for (const r of this.kind('composite', type)) {
      const activeRule = (id: string): boolean => {
        for (const rec of this.alarmsByKey.values()) if (rec.ruleId === id && rec.applianceId === applianceId) return true;
        return false;
      };
      const of = r.def.of ?? [];
      const op = r.params.op === 'any' ? 'any' : 'all';
      const holds = (op === 'all' ? of.every(activeRule) : of.some(activeRule)) && !(r.def.unless ?? []).some(activeRule);
      const alarmKey = `${applianceId}|${r.def.id}|${r.def.id}`;
      if (holds && !this.alarmsByKey.has(alarmKey)) this.raise(r, { hubId, applianceId, applianceType: type, key: r.def.id, at, title: r.def.description ?? r.def.id, facts: { of: of.join(',') } }, out);
      else if (!holds) this.clear(alarmKey, at, out);
    }
  }

  private onInventory(input: Extract<EngineInput, { kind: 'inventory' }>, out: AlarmEvent[]): void {
    for (const r of this.kind('food-expiry', input.applianceType)) {
      const within = paramNumber(r.params.withinDays, 2) * DAY_MS;
      const items = input.items
        .map((i) => ({ itemId: i.itemId, name: i.name, expiresAt: itemExpiresAt(i) }))
        .filter((i) => i.expiresAt - input.at <= within)
        .map((i) => ({ ...i, expired: i.expiresAt <= input.at }));
      if (items.length === 0) continue;
      const day = new Date(input.at).toISOString().slice(0, 10);
      const alarmKey = `${input.hubId}|${r.def.id}|${day}`;
      const existing = this.alarmsByKey.get(alarmKey);
      // One digest per household per day: only news (an item not yet in today's digest) updates it.
      let digest = items;
      if (existing !== undefined) {
        const known = new Set((existing.items ?? []).map((i) => i.itemId));
        const fresh = items.filter((i) => !known.has(i.itemId));
        if (fresh.length === 0) continue;
        digest = [...(existing.items ?? []), ...fresh];
      }
      this.raise(r, { hubId: input.hubId, applianceId: input.applianceId, applianceType: input.applianceType, key: day, at: input.at, title: `${digest.length} food item${digest.length === 1 ? '' : 's'} expiring`, items: digest, subject: input.hubId }, out);
    }
  }

  // ── alarm state ───────────────────────────────────────────────────────────

  private raise(r: CompiledRule, a: RaiseInput, out: AlarmEvent[]): void {
    const subject = a.subject ?? a.applianceId ?? a.hubId;
    const alarmKey = `${subject}|${r.def.id}|${a.key}`;
    const existing = this.alarmsByKey.get(alarmKey);
    if (existing !== undefined) {
      existing.count++;
      existing.lastSeen = Math.max(existing.lastSeen, a.at);
      if (a.items !== undefined) existing.items = a.items;
      if (a.facts !== undefined) existing.facts = a.facts;
      out.push(this.event(existing, 'updated', a.at));
      return;
    }
    const rec: AlarmRec = {
      alarmKey,
      ruleId: r.def.id,
      hubId: a.hubId,
      applianceId: a.applianceId,
      applianceType: a.applianceType,
      key: a.key,
      status: 'raised',
      severity: a.severity ?? r.def.severity ?? 'warning',
      raises: [...r.def.raises],
      title: a.title,
      count: 1,
      firstSeen: a.at,
      lastSeen: a.at,
      level: 0,
      fault: a.fault,
      items: a.items,
      facts: a.facts,
    };
    this.alarmsByKey.set(alarmKey, rec);
    out.push(this.event(rec, 'raised', a.at));
    const escalateAfter = paramDuration(r.params.escalateAfter, 0);
    if (escalateAfter > 0) this.timers.set(`esc|${alarmKey}`, a.at + escalateAfter);
  }

  private clear(alarmKey: string, at: number, out: AlarmEvent[]): void {
    const rec = this.alarmsByKey.get(alarmKey);
    if (rec === undefined) return;
    rec.status = 'cleared';
    rec.lastSeen = Math.max(rec.lastSeen, at);
    this.alarmsByKey.delete(alarmKey);
    this.timers.cancel(`esc|${alarmKey}`);
    out.push(this.event(rec, 'cleared', at));
  }

  private event(rec: AlarmRec, transition: AlarmEvent['transition'], at: number): AlarmEvent {
    return {
      transition,
      alarmKey: rec.alarmKey,
      ruleId: rec.ruleId,
      ruleVersion: this.version,
      hubId: rec.hubId,
      applianceId: rec.applianceId,
      applianceType: rec.applianceType,
      key: rec.key,
      severity: rec.severity,
      raises: rec.raises,
      title: rec.title,
      at,
      count: rec.count,
      firstSeen: rec.firstSeen,
      lastSeen: rec.lastSeen,
      level: rec.level,
      fault: rec.fault,
      items: rec.items,
      facts: rec.facts,
    };
  }

  /** Acknowledging stops escalation; the alarm stays until its condition clears. */
  acknowledge(alarmKey: string, at: number): AlarmEvent[] {
    const rec = this.alarmsByKey.get(alarmKey);
    if (rec === undefined || rec.status !== 'raised') return [];
    rec.status = 'acknowledged';
    this.timers.cancel(`esc|${alarmKey}`);
    return [this.event(rec, 'acknowledged', at)];
  }

  alarms(): AlarmState[] {
    return [...this.alarmsByKey.values()].map((r) => ({
      alarmKey: r.alarmKey,
      ruleId: r.ruleId,
      hubId: r.hubId,
      applianceId: r.applianceId,
      key: r.key,
      status: r.status,
      severity: r.severity,
      count: r.count,
      firstSeen: r.firstSeen,
      lastSeen: r.lastSeen,
      level: r.level,
    }));
  }

  /** How many timers are armed (offline, stale, durations, escalations). */
  get timerCount(): number {
    return this.timers.size;
  }

  // ── persistence ───────────────────────────────────────────────────────────

  snapshot(): string {
    const snap: Snapshot = {
      v: 2,
      version: this.version,
      alarms: [...this.alarmsByKey.values()],
      hubs: [...this.hubs.entries()],
      appliances: [...this.appliances.entries()],
      work: [...this.work.entries()],
      timers: this.timers.entries(),
      wheel: this.timers.position,
    };
    return JSON.stringify(snap, (_k, v: unknown) => (v === -Infinity ? null : v));
  }

  static restore(snapshot: string, opts: EngineOptions): Engine {
    const snap = JSON.parse(snapshot) as Snapshot;
    if (snap.v !== 2) throw new Error(`unknown engine snapshot version ${String(snap.v)}`);
    const engine = new Engine(opts);
    for (const a of snap.alarms) engine.alarmsByKey.set(a.alarmKey, a);
    for (const [id, hub] of snap.hubs) engine.hubs.set(id, hub);
    for (const [id, a] of snap.appliances) engine.appliances.set(id, { ...a, lastDeviceTs: a.lastDeviceTs ?? -Infinity });
    for (const [k, w] of snap.work) engine.work.set(k, w);
    // Rebuild the busy index from what the snapshot holds.
    for (const a of snap.alarms) if (a.applianceId !== undefined) engine.markBusy(a.applianceId, a.ruleId);
    for (const [k] of snap.work) {
      const [applianceId, ruleId] = k.split('|');
      if (applianceId !== undefined && ruleId !== undefined) engine.markBusy(applianceId, ruleId);
    }
    engine.timers = new TimingWheel(1000, 4096, snap.wheel);
    for (const [key, at] of snap.timers) engine.timers.set(key, at);
    return engine;
  }

  /**
   * Deploys a new rule version. Alarms of rules that remain are kept (a changed rule keeps
   * its open alarms and they are re-judged by its new condition on the next message);
   * working state of unchanged rules and every running timer is kept; alarms of removed
   * rules clear. Silence timers follow a changed silentFor from the last time heard.
   */
  deploy(rules: readonly RuleDef[], version: number, now: number): AlarmEvent[] {
    const before = new Map(this.rules.map((r) => [r.def.id, JSON.stringify(r.def)]));
    this.setRules(rules);
    this.version = version;
    const out: AlarmEvent[] = [];
    const ids = new Set(rules.map((r) => r.id));
    for (const rec of [...this.alarmsByKey.values()]) if (!ids.has(rec.ruleId)) this.clear(rec.alarmKey, now, out);
    for (const [k] of [...this.work]) {
      const ruleId = k.split('|')[1] ?? '';
      const r = this.byId.get(ruleId);
      if (r === undefined || before.get(ruleId) !== JSON.stringify(r.def)) this.work.delete(k);
    }
    for (const r of this.rules) {
      if (before.get(r.def.id) === JSON.stringify(r.def)) continue;
      if (r.def.kind === 'hub-offline') {
        for (const [id, hub] of this.hubs) if (!hub.offline) this.timers.set(`hub|${id}`, hub.lastSeen + paramDuration(r.params.silentFor, 600_000));
      }
      if (r.def.kind === 'appliance-offline') {
        for (const [id, a] of this.appliances) if (applies(r.def, a.type)) this.timers.set(`app|${id}|${r.def.id}`, a.lastSeen + paramDuration(r.params.silentFor, 3_600_000));
      }
    }
    return out;
  }
}

function readsAny(reads: ReadonlySet<string>, metrics: Readonly<Record<string, unknown>>): boolean {
  for (const m of reads) if (metrics[m] !== undefined) return true;
  return false;
}

function applies(rule: RuleDef, type: ApplianceType): boolean {
  return rule.appliesTo === undefined || rule.appliesTo.length === 0 || rule.appliesTo.includes(type);
}

function slopePerHour(samples: readonly [number, number][]): number {
  const n = samples.length;
  const t0 = (samples[0] as [number, number])[0];
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (const [t, v] of samples) {
    const x = (t - t0) / 3_600_000;
    sx += x;
    sy += v;
    sxx += x * x;
    sxy += x * v;
  }
  const d = n * sxx - sx * sx;
  return d === 0 ? 0 : (n * sxy - sx * sy) / d;
}

const round3 = (v: number): number => Math.round(v * 1000) / 1000;
