import { APPLIANCE_TYPES, itemExpiresAt, lookupFault, type ApplianceType } from '@forecare/firmware-contracts';
import type { AlarmEvent, AlarmState, EngineInput } from './api.js';
import { AlarmBook, type AlarmRec } from './alarm-book.js';
import { CompactWheel } from './compact-wheel.js';
import type { Condition } from './condition.js';
import { paramDuration, paramNumber, type ParamValue, type RuleDef } from './rule-format.js';
import { pick, RuleIndex, type CompiledRule, type TypeRules } from './rule-index.js';
import { ApplianceTable, HubTable, TYPE_INDEX, TypeColumns } from './state.js';
import { TimingWheel } from './timing-wheel.js';

/** Per (appliance, rule) working state of a rule that is not itself an alarm yet. */
export interface RuleWork {
  /** threshold: since when the condition has held (pending raise), or the clear condition (pending clear). */
  pendingSince?: number | undefined;
  clearingSince?: number | undefined;
  /** threshold: device time of the reading that started the pending raise / clear (a late older reading before it is no break). */
  pendingTs?: number | undefined;
  clearingTs?: number | undefined;
  /** fault-code: device time of the newest message applied, per code (an older one arriving late neither reopens nor clears). */
  faults?: Record<string, number> | undefined;
  /** repeat: times of occurrences inside the window. */
  occurrences?: number[] | undefined;
  /** trend: (server time, value) samples inside the window, sorted by time. */
  samples?: [number, number][] | undefined;
}

export interface SnapshotAppliance {
  hubId: string;
  type: ApplianceType;
  lastSeen: number;
  lastDeviceTs: number | null;
  seqs: number[];
  metrics: Record<string, number | boolean>;
  state: Record<string, string | boolean>;
  /** Stuck rules' references by rule id: the value the metric last changed to, since when (server, device time). */
  stuck?: Record<string, [number, number, number?]> | undefined;
}

interface Snapshot {
  /** 3: appliances in columns; 2 (still read): one object per appliance. */
  v: 2 | 3;
  version: number;
  alarms: AlarmRec[];
  hubs: [string, { lastSeen: number; offline: boolean }][];
  appliances: [string, SnapshotAppliance][];
  work: [string, RuleWork][];
  /** Every armed timer by name: `hub|<hub>`, `app|<appliance>|<rule>`, `stale|<appliance>|<rule>`, `thr|…`, `thc|…`, `esc|<alarm>`. */
  timers: [string, number][];
  wheel: number;
}

/** An appliance as checkpointed: its record plus its armed silence/stale timers by rule. */
export interface AppliancePart extends SnapshotAppliance {
  timers: [string, number][];
}

export interface HubPart {
  lastSeen: number;
  offline: boolean;
  /** When its silence timer is due; null when none is armed. */
  due: number | null;
}

/** What is global to a checkpoint (the per-entity parts are stored beside it). */
export interface EngineMeta {
  version: number;
  wheel: number;
}

/**
 * What changed since the last `takeChanges` (with `trackChanges`): every hub, appliance,
 * alarm and working state touched, with its current value (null when it is gone). A
 * gateway stores these as rows beside the meta, so a checkpoint costs what changed, not
 * the size of the fleet.
 */
export interface EngineChanges extends EngineMeta {
  hubs: [string, HubPart][];
  appliances: [string, AppliancePart][];
  alarms: [string, AlarmRec | null][];
  work: [string, RuleWork | null][];
  /** The rare timers by name (threshold durations, escalations); null when no longer armed. */
  timers: [string, number | null][];
}

/** A whole checkpoint read back: the meta and every stored part. */
export interface EngineParts extends EngineMeta {
  hubs: [string, HubPart][];
  appliances: [string, AppliancePart][];
  alarms: AlarmRec[];
  work: [string, RuleWork][];
  timers: [string, number][];
}

interface Changed {
  readonly apps: Set<number>;
  readonly hubs: Set<number>;
  readonly alarms: Set<string>;
  readonly work: Set<string>;
  readonly timers: Set<string>;
}

export interface EngineOptions {
  readonly rules: readonly RuleDef[];
  /** Remember what changed for incremental checkpoints (`takeChanges`). */
  readonly trackChanges?: boolean | undefined;
  readonly version?: number | undefined;
  readonly overrides?: Readonly<Record<string, Readonly<Record<string, ParamValue>>>> | undefined;
}

interface DueTimer {
  at: number;
  /** Firing order among timers due at the same instant: hubs first, then appliance rules in rule order, then the rest. */
  rank: number;
  id: number;
  key: string;
}

const DAY_MS = 86_400_000;
const TREND_SAMPLES = 200;
const LAST_RANK = Number.MAX_SAFE_INTEGER;
const EMPTY_STATE: Readonly<Record<string, string | boolean>> = {};
const NO_EVENTS: readonly AlarmEvent[] = Object.freeze([]);

/**
 * The detection engine. Pure: inputs and time come in, alarm events go out — no clock, no
 * I/O, no globals. One alarm per (subject, rule, key): however fast messages arrive, a
 * second one updates the alarm. Timers (offline, stale, threshold durations, escalation)
 * live in timing wheels and fire from `tick` or before the next input. Appliance and hub
 * state is kept in columns (see state.ts) so idle appliances cost little.
 */
export class Engine {
  private index: RuleIndex;
  private version: number;
  private readonly overrides: EngineOptions['overrides'];
  private readonly book: AlarmBook;
  private readonly hubs = new HubTable();
  private readonly apps = new ApplianceTable();
  private readonly columns = APPLIANCE_TYPES.map(() => new TypeColumns());
  private readonly work = new Map<string, RuleWork>();
  /** Hub silence timers, by hub index. */
  private hubTimers = new CompactWheel();
  /** Appliance-offline and stale timers, one wheel per rule, by appliance index. */
  private readonly entityTimers = new Map<string, CompactWheel>();
  /** The rarer timers, by name: threshold durations and escalations. */
  private timers = new TimingWheel(1000, 4096);
  private readonly changed: Changed | undefined;
  /** Scratch lists reused by every input (the engine is not re-entrant). */
  private readonly out: AlarmEvent[] = [];
  private readonly thresholds: CompiledRule[] = [];
  private readonly repeats: CompiledRule[] = [];

  constructor(opts: EngineOptions) {
    this.version = opts.version ?? 1;
    this.overrides = opts.overrides;
    this.changed = opts.trackChanges === true ? { apps: new Set(), hubs: new Set(), alarms: new Set(), work: new Set(), timers: new Set() } : undefined;
    this.index = new RuleIndex(opts.rules, opts.overrides);
    this.book = new AlarmBook({
      version: () => this.version,
      raised: (rec, r) => {
        const after = paramDuration(r.params.escalateAfter, 0);
        if (after > 0) this.setNamed(`esc|${rec.alarmKey}`, rec.firstSeen + after);
      },
      settled: (alarmKey) => this.cancelNamed(`esc|${alarmKey}`),
      changed: (alarmKey) => this.changed?.alarms.add(alarmKey),
    });
  }

  private wheelOf(ruleId: string): CompactWheel {
    let w = this.entityTimers.get(ruleId);
    if (w === undefined) {
      w = new CompactWheel(1000, 4096, this.timers.position);
      this.entityTimers.set(ruleId, w);
    }
    return w;
  }

  // ── inputs ────────────────────────────────────────────────────────────────

  /** Applies one input; the alarm events it caused (a shared empty list when none: do not modify it). */
  ingest(input: EngineInput): readonly AlarmEvent[] {
    const out = this.out;
    this.fire(input.at, out);
    if (input.kind === 'status' || input.kind === 'heartbeat') {
      this.touchHub(input, out);
      return this.take(out);
    }
    const app = this.appliance(input);
    if (this.apps.seen(app, input.seq)) return this.take(out); // a redelivery: already applied
    this.changed?.apps.add(app);
    if (input.at > (this.apps.lastSeen[app] as number)) this.apps.lastSeen[app] = input.at;
    this.armApplianceTimers(app, input.at, out, false);
    this.touchHub(input, out);
    switch (input.kind) {
      case 'fault':
        this.onFault(input, app, out);
        break;
      case 'inventory':
        this.onInventory(input, app, out);
        break;
      case 'telemetry':
        this.onTelemetry(input, app, out);
        break;
    }
    return this.take(out);
  }

  /** Most inputs raise nothing: hand back a shared empty list then, and a copy of the events otherwise. */
  private take(out: AlarmEvent[]): readonly AlarmEvent[] {
    if (out.length === 0) return NO_EVENTS;
    const events = out.slice();
    out.length = 0;
    return events;
  }

  private hubIndex(hubId: string, at: number): number {
    return this.hubs.index.get(hubId) ?? this.hubs.add(hubId, at);
  }

  private appliance(input: Extract<EngineInput, { applianceId: string }>): number {
    const known = this.apps.index.get(input.applianceId);
    if (known !== undefined) return known;
    return this.addAppliance(input.applianceId, input.hubId, input.applianceType, input.at);
  }

  private addAppliance(id: string, hubId: string, type: ApplianceType, at: number): number {
    const hub = this.hubIndex(hubId, at);
    const t = TYPE_INDEX.get(type) ?? 0;
    const app = this.apps.add(id, hub, t, (this.columns[t] as TypeColumns).addRow(), at);
    this.apps.nextInHub[app] = this.hubs.firstApp[hub] as number;
    this.hubs.firstApp[hub] = app;
    return app;
  }

  private typeRules(app: number): TypeRules {
    return this.index.types[this.apps.type[app] as number] as TypeRules;
  }

  private typeOf(app: number): ApplianceType {
    return APPLIANCE_TYPES[this.apps.type[app] as number] as ApplianceType;
  }

  /** Fires every timer due at or before `now`; each event carries its due time. */
  tick(now: number): AlarmEvent[] {
    const out: AlarmEvent[] = [];
    this.fire(now, out);
    return out;
  }

  private fire(now: number, out: AlarmEvent[]): void {
    // A fired timer may arm another that is already due (the next escalation level).
    for (;;) {
      const due: DueTimer[] = [];
      const hubs = this.hubTimers.advance(now);
      for (let i = 0; i < hubs.ids.length; i++) due.push({ at: hubs.ats[i] as number, rank: 0, id: hubs.ids[i] as number, key: '' });
      for (const [ruleId, wheel] of this.entityTimers) {
        const f = wheel.advance(now);
        if (f.ids.length === 0) continue;
        const rank = 1 + (this.index.byId.get(ruleId)?.order ?? LAST_RANK - 2);
        for (let i = 0; i < f.ids.length; i++) due.push({ at: f.ats[i] as number, rank, id: f.ids[i] as number, key: ruleId });
      }
      for (const t of this.timers.advance(now)) due.push({ at: t.at, rank: LAST_RANK, id: 0, key: t.key });
      if (due.length === 0) return;
      due.sort((a, b) => a.at - b.at || a.rank - b.rank || a.id - b.id || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      for (const d of due) {
        if (d.rank === 0) this.onHubSilent(d.id, d.at, out);
        else if (d.rank === LAST_RANK) {
          this.changed?.timers.add(d.key);
          this.onNamedTimer(d.key, d.at, out);
        }
        else this.onApplianceTimer(d.key, d.id, d.at, out);
      }
    }
  }

  private onHubSilent(hub: number, at: number, out: AlarmEvent[]): void {
    if (this.hubs.offline[hub] === 1 || this.index.hubOffline.length === 0) return;
    this.hubs.offline[hub] = 1;
    this.changed?.hubs.add(hub);
    const hubId = this.hubs.ids[hub] as string;
    for (const r of this.index.hubOffline) this.book.raise(r, { hubId, key: 'hub', at, title: `Hub ${hubId} offline`, facts: { silentSinceMs: this.hubs.lastSeen[hub] as number } }, out);
  }

  private onApplianceTimer(ruleId: string, app: number, at: number, out: AlarmEvent[]): void {
    this.changed?.apps.add(app);
    const r = this.index.byId.get(ruleId);
    if (r === undefined || this.hubs.offline[this.apps.hub[app] as number] === 1) return;
    const id = this.apps.ids[app] as string;
    const base = { hubId: this.hubs.ids[this.apps.hub[app] as number] as string, applianceId: id, applianceType: this.typeOf(app), at };
    if (r.def.kind === 'appliance-offline') {
      this.book.raise(r, { ...base, key: 'silent', title: `Appliance ${id} silent while its hub is online`, facts: { silentSinceMs: this.apps.lastSeen[app] as number } }, out);
    } else if (r.def.kind === 'stale') {
      const lastUpdatedMs = at - paramDuration(r.params.after, 3_600_000);
      this.book.raise(r, { ...base, key: r.metric, title: `${r.metric} not updated`, facts: { metric: r.metric, lastUpdatedMs } }, out);
    }
    this.composites(app, at, out);
  }

  private onNamedTimer(key: string, at: number, out: AlarmEvent[]): void {
    const [type = '', ...rest] = key.split('|');
    const id = rest[0] ?? '';
    const ruleId = rest[1] ?? '';
    switch (type) {
      case 'thr': {
        // A threshold condition has held for its duration.
        const app = this.apps.index.get(id);
        const r = this.index.byId.get(ruleId);
        const w = this.work.get(`${id}|${ruleId}`);
        if (app === undefined || r === undefined || w?.pendingSince === undefined) return;
        w.pendingSince = undefined;
        w.pendingTs = undefined;
        this.raiseThreshold(r, app, at, out);
        this.settleThreshold(id, ruleId, w);
        this.composites(app, at, out);
        return;
      }
      case 'thc': {
        const app = this.apps.index.get(id);
        const w = this.work.get(`${id}|${ruleId}`);
        if (app === undefined || !this.index.byId.has(ruleId) || w?.clearingSince === undefined) return;
        w.clearingSince = undefined;
        w.clearingTs = undefined;
        this.book.clear(`${id}|${ruleId}|${ruleId}`, at, out);
        this.settleThreshold(id, ruleId, w);
        this.composites(app, at, out);
        return;
      }
      case 'esc': {
        const rec = this.book.byKey.get(rest.join('|'));
        const r = rec === undefined ? undefined : this.index.byId.get(rec.ruleId);
        if (rec === undefined || r === undefined || rec.status !== 'raised') return;
        rec.level++;
        this.changed?.alarms.add(rec.alarmKey);
        out.push(this.book.event(rec, 'escalated', at));
        if (rec.level < paramNumber(r.params.escalateLevels, 2)) this.setNamed(key, at + paramDuration(r.params.escalateAfter, 0));
        return;
      }
      default:
        return;
    }
  }

  private touchHub(input: EngineInput, out: AlarmEvent[]): void {
    const hub = this.hubIndex(input.hubId, input.at);
    this.changed?.hubs.add(hub);
    const rules = this.index.hubOffline;
    if (input.kind === 'status' && input.state === 'offline') {
      // The last will: the broker lost the hub. Raise now, stop the timer.
      this.hubTimers.cancel(hub);
      this.hubs.offline[hub] = 1;
      for (const r of rules) this.book.raise(r, { hubId: input.hubId, key: 'hub', at: input.at, title: `Hub ${input.hubId} offline (last will)`, facts: { silentSinceMs: this.hubs.lastSeen[hub] as number } }, out);
      return;
    }
    if (input.at > (this.hubs.lastSeen[hub] as number)) this.hubs.lastSeen[hub] = input.at;
    if (this.hubs.offline[hub] === 1) {
      this.hubs.offline[hub] = 0;
      for (const r of rules) this.book.clear(`${input.hubId}|${r.def.id}|hub`, input.at, out);
      // The hub is back: its appliances' silence is measured from now.
      for (let app = this.hubs.firstApp[hub] as number; app >= 0; app = this.apps.nextInHub[app] as number) this.armApplianceTimers(app, input.at, out, true);
    }
    if (Number.isFinite(this.index.hubSilentFor)) this.hubTimers.set(hub, (this.hubs.lastSeen[hub] as number) + this.index.hubSilentFor);
  }

  private armApplianceTimers(app: number, at: number, out: AlarmEvent[], hubBack: boolean): void {
    const tr = this.typeRules(app);
    if (tr.applianceOffline.length === 0 && (!hubBack || tr.stale.length === 0)) return;
    this.changed?.apps.add(app);
    const id = this.apps.ids[app] as string;
    for (const r of tr.applianceOffline) {
      if (!hubBack && this.book.isBusy(id, r.def.id)) this.book.clear(`${id}|${r.def.id}|silent`, at, out);
      this.wheelOf(r.def.id).set(app, at + paramDuration(r.params.silentFor, 3_600_000));
    }
    if (hubBack) for (const r of tr.stale) this.wheelOf(r.def.id).set(app, at + paramDuration(r.params.after, 3_600_000));
  }

  private onFault(input: Extract<EngineInput, { kind: 'fault' }>, app: number, out: AlarmEvent[]): void {
    const tr = this.typeRules(app);
    const type = this.typeOf(app);
    const spec = lookupFault(type, input.code);
    const fault = { code: input.code, faultClass: spec?.faultClass ?? 'unknown' };
    for (const r of tr.faultCode) {
      // Newest by device time decides a code's state; an older message arriving late only counts as a repeat of an open alarm.
      const wkey = `${input.applianceId}|${r.def.id}`;
      const w = this.work.get(wkey) ?? {};
      const newest = w.faults?.[input.code];
      if (newest !== undefined && input.deviceTs < newest) {
        if (!input.active || !this.book.byKey.has(`${wkey}|${input.code}`)) continue;
      } else {
        w.faults = { ...w.faults, [input.code]: input.deviceTs };
        this.setWork(wkey, w);
      }
      if (!input.active) {
        this.book.clear(`${input.applianceId}|${r.def.id}|${input.code}`, input.at, out);
        continue;
      }
      this.book.raise(
        r,
        {
          hubId: input.hubId,
          applianceId: input.applianceId,
          applianceType: type,
          key: input.code,
          at: input.at,
          severity: r.def.severity ?? spec?.severity ?? 'warning',
          title: spec !== undefined ? `${input.code}: ${spec.meaning}` : `Unknown fault ${input.code}`,
          fault,
        },
        out,
      );
    }
    if (input.active) {
      for (const r of tr.repeat) {
        const ctx = { fault: { ...fault, severity: spec?.severity ?? 'warning' }, type, params: r.params };
        const matches = typeof r.params.code === 'string' ? r.params.code === input.code : r.condition?.(ctx) === true;
        if (matches) this.occurrence(r, app, input.at, out, fault);
      }
    }
    this.composites(app, input.at, out);
  }

  private onTelemetry(input: Extract<EngineInput, { kind: 'telemetry' }>, app: number, out: AlarmEvent[]): void {
    const tr = this.typeRules(app);
    const type = this.typeOf(app);
    // Trends take every sample in time order; the current-value rules only the newest.
    for (const r of tr.trend) {
      const v = input.metrics[r.metric];
      // A trend's condition picks the samples that count (e.g. not during a defrost cycle).
      if (typeof v === 'number' && (r.condition === undefined || r.condition({ metrics: input.metrics, state: input.state ?? EMPTY_STATE, type, params: r.params }))) {
        this.trendSample(r, app, input.at, v, out);
      }
    }
    if (input.deviceTs < (this.apps.lastDeviceTs[app] as number)) {
      this.lateReading(input, app, out);
      return;
    }
    this.apps.lastDeviceTs[app] = input.deviceTs;
    const cols = this.columns[this.apps.type[app] as number] as TypeColumns;
    const row = this.apps.slot[app] as number;
    // One lookup per metric stores its value and finds the value rules that read it.
    const index = this.index;
    const epoch = index.nextEpoch();
    const thresholds = this.thresholds;
    const repeats = this.repeats;
    thresholds.length = 0;
    repeats.length = 0;
    for (const name in input.metrics) {
      const slot = cols.setMetric(row, name, input.metrics[name] as number | boolean);
      if (slot.source !== index) index.attach(slot, this.apps.type[app] as number, name);
      if (slot.threshold.length > 0) pick(slot.threshold, epoch, thresholds);
      if (slot.repeat.length > 0) pick(slot.repeat, epoch, repeats);
    }
    if (tr.thresholdOpaque.length > 0) pick(tr.thresholdOpaque, epoch, thresholds);
    if (tr.repeatOpaque.length > 0) pick(tr.repeatOpaque, epoch, repeats);
    if (input.state !== undefined) for (const name in input.state) cols.setState(row, name, input.state[name] as string | boolean);
    const id = input.applianceId;
    const busy = this.book.busyRules(id);
    for (const r of tr.stale) {
      if (input.metrics[r.metric] === undefined) continue;
      if (busy?.has(r.def.id) === true) this.book.clear(`${id}|${r.def.id}|${r.metric}`, input.at, out);
      this.wheelOf(r.def.id).set(app, input.at + paramDuration(r.params.after, 3_600_000));
    }
    for (const r of tr.stuck) {
      const v = input.metrics[r.metric];
      if (typeof v === 'number') this.stuckSample(r, app, cols, row, input.at, v, out);
    }
    // Conditions that read only one metric are judged on its value; others get the appliance's whole state.
    let ctx: { metrics: Record<string, number | boolean>; state: Record<string, string | boolean>; type: ApplianceType; params: Readonly<Record<string, ParamValue>> } | undefined;
    const judge = (cond: Condition | undefined, r: CompiledRule): boolean => {
      if (cond === undefined) return false;
      const d = cond.direct;
      if (d !== undefined) return d.test(input.metrics[d.metric] ?? cols.metric(row, d.metric));
      ctx ??= { metrics: cols.metricsOf(row), state: cols.stateOf(row), type, params: r.params };
      ctx.params = r.params;
      return cond(ctx);
    };
    for (const r of thresholds) {
      const holds = judge(r.condition, r);
      // The common case: nothing pending, no alarm, condition false — nothing to look up.
      if (!holds && busy?.has(r.def.id) !== true) continue;
      this.threshold(r, app, input.at, holds, r.clear !== undefined ? judge(r.clear, r) : undefined, out);
    }
    for (const r of repeats) {
      if (typeof r.params.code !== 'string' && judge(r.condition, r)) this.occurrence(r, app, input.at, out);
    }
    this.composites(app, input.at, out);
  }

  /** Threshold with duration and hysteresis: raise after `for` of the condition, clear after `clearFor` of the clear condition. */
  private threshold(r: CompiledRule, app: number, at: number, holds: boolean, clears: boolean | undefined, out: AlarmEvent[]): void {
    const applianceId = this.apps.ids[app] as string;
    const ruleId = r.def.id;
    this.book.markBusy(applianceId, ruleId);
    const wkey = `${applianceId}|${ruleId}`;
    const w = this.work.get(wkey) ?? {};
    const alarmKey = `${applianceId}|${ruleId}|${ruleId}`;
    const deviceTs = this.apps.lastDeviceTs[app] as number;
    if (!this.book.byKey.has(alarmKey)) {
      if (!holds) {
        if (w.pendingSince !== undefined) this.cancelNamed(`thr|${wkey}`);
        w.pendingSince = undefined;
        w.pendingTs = undefined;
      } else if (w.pendingSince === undefined) {
        const forMs = paramDuration(r.params.for, 0);
        if (forMs === 0) this.raiseThreshold(r, app, at, out);
        else {
          w.pendingSince = at;
          w.pendingTs = deviceTs;
          this.setNamed(`thr|${wkey}`, at + forMs);
        }
      }
    } else {
      // With hysteresis the alarm ends only on the clear condition, not when the raise condition stops.
      const ending = clears ?? !holds;
      if (!ending) {
        if (w.clearingSince !== undefined) this.cancelNamed(`thc|${wkey}`);
        w.clearingSince = undefined;
        w.clearingTs = undefined;
      } else if (w.clearingSince === undefined) {
        const clearForMs = paramDuration(r.params.clearFor, 0);
        if (clearForMs === 0) this.book.clear(alarmKey, at, out);
        else {
          w.clearingSince = at;
          w.clearingTs = deviceTs;
          this.setNamed(`thc|${wkey}`, at + clearForMs);
        }
      }
    }
    this.settleThreshold(applianceId, ruleId, w);
  }

  /** Keeps a threshold's working state only while a duration runs; the rule stays busy while its alarm is open. */
  private settleThreshold(applianceId: string, ruleId: string, w: RuleWork): void {
    const wkey = `${applianceId}|${ruleId}`;
    if (w.pendingSince === undefined && w.clearingSince === undefined) {
      this.deleteWork(wkey);
      if (!this.book.byKey.has(`${wkey}|${ruleId}`)) this.book.unmarkBusy(applianceId, ruleId);
    } else this.setWork(wkey, w);
  }

  /**
   * A reading older (by device time) than the values already applied arrived late. It does
   * not change the current values, but it is evidence the values were not steady: a running
   * threshold duration it breaks, or a stuck period it moves in, starts again from now — as
   * it would have had the reading arrived in order. It never raises or clears by itself.
   */
  private lateReading(input: Extract<EngineInput, { kind: 'telemetry' }>, app: number, out: AlarmEvent[]): void {
    const busy = this.book.busyRules(input.applianceId);
    const tr = this.typeRules(app);
    if (busy === undefined || (tr.threshold.length === 0 && tr.stuck.length === 0)) return;
    const cols = this.columns[this.apps.type[app] as number] as TypeColumns;
    const row = this.apps.slot[app] as number;
    const at = input.at;
    for (const r of tr.threshold) {
      const wkey = `${input.applianceId}|${r.def.id}`;
      const w = busy.has(r.def.id) ? this.work.get(wkey) : undefined;
      if (w === undefined || (r.reads !== null && !r.reads.some((m) => input.metrics[m] !== undefined))) continue;
      const ctx = { metrics: { ...cols.metricsOf(row), ...input.metrics }, state: { ...cols.stateOf(row), ...input.state }, type: this.typeOf(app), params: r.params };
      const holds = r.condition?.(ctx) === true;
      if (w.pendingSince !== undefined && !holds && input.deviceTs > (w.pendingTs ?? -Infinity)) {
        w.pendingSince = at;
        w.pendingTs = input.deviceTs;
        this.setNamed(`thr|${wkey}`, at + paramDuration(r.params.for, 0));
      }
      const ending = r.clear !== undefined ? r.clear(ctx) : !holds;
      if (w.clearingSince !== undefined && !ending && input.deviceTs > (w.clearingTs ?? -Infinity)) {
        w.clearingSince = at;
        w.clearingTs = input.deviceTs;
        this.setNamed(`thc|${wkey}`, at + paramDuration(r.params.clearFor, 0));
      }
      this.setWork(wkey, w);
    }
    for (const r of tr.stuck) {
      const v = input.metrics[r.metric];
      if (typeof v !== 'number' || !cols.hasStuck(r.def.id)) continue;
      const col = cols.stuckColumn(r.def.id);
      const ref = col.ref[row] as number;
      if (Number.isNaN(ref) || Math.abs(v - ref) <= paramNumber(r.params.tolerance, 0) || input.deviceTs <= (col.sinceTs[row] as number)) continue;
      col.since[row] = at;
      col.sinceTs[row] = input.deviceTs;
      if (busy.has(r.def.id)) this.book.clear(`${input.applianceId}|${r.def.id}|${r.metric}`, at, out);
    }
  }

  private setNamed(key: string, at: number): void {
    this.timers.set(key, at);
    this.changed?.timers.add(key);
  }

  private cancelNamed(key: string): void {
    if (this.timers.dueOf(key) === undefined) return;
    this.timers.cancel(key);
    this.changed?.timers.add(key);
  }

  private setWork(key: string, w: RuleWork): void {
    this.work.set(key, w);
    this.changed?.work.add(key);
  }

  private deleteWork(key: string): void {
    if (this.work.delete(key)) this.changed?.work.add(key);
  }

  private subjectOf(app: number): { hubId: string; applianceId: string; applianceType: ApplianceType } {
    return { hubId: this.hubs.ids[this.apps.hub[app] as number] as string, applianceId: this.apps.ids[app] as string, applianceType: this.typeOf(app) };
  }

  private raiseThreshold(r: CompiledRule, app: number, at: number, out: AlarmEvent[]): void {
    const facts = (this.columns[this.apps.type[app] as number] as TypeColumns).metricsOf(this.apps.slot[app] as number);
    this.book.raise(r, { ...this.subjectOf(app), key: r.def.id, at, title: r.def.description ?? r.def.id, facts }, out);
  }

  /** Repeat: N occurrences inside the window raise one alarm; more update it. */
  private occurrence(r: CompiledRule, app: number, at: number, out: AlarmEvent[], fault?: AlarmRec['fault']): void {
    const wkey = `${this.apps.ids[app] as string}|${r.def.id}`;
    const w = this.work.get(wkey) ?? {};
    const window = paramDuration(r.params.window, 3_600_000);
    const times = (w.occurrences ?? []).filter((t) => t > at - window);
    times.push(at);
    w.occurrences = times;
    this.setWork(wkey, w);
    if (times.length >= paramNumber(r.params.count, 3)) {
      this.book.raise(r, { ...this.subjectOf(app), key: r.def.id, at, title: r.def.description ?? `${r.def.id}: ${times.length} times in ${window / 60_000} min`, fault, facts: { occurrences: times.length } }, out);
    }
  }

  /** Trend: least-squares slope (units per hour) over the window; raise above slopeAbove (or below slopeBelow). */
  private trendSample(r: CompiledRule, app: number, at: number, value: number, out: AlarmEvent[]): void {
    const applianceId = this.apps.ids[app] as string;
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
    this.setWork(wkey, w);
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
    const alarmKey = `${applianceId}|${r.def.id}|${r.metric}`;
    if (rising || falling) {
      if (!this.book.byKey.has(alarmKey)) {
        this.book.raise(r, { ...this.subjectOf(app), key: r.metric, at, title: r.def.description ?? `${r.metric} trending`, facts: { slopePerHour: round3(slope), metric: r.metric } }, out);
      }
    } else {
      // Hysteresis for trends: clear only when the slope is back under half the threshold.
      const calm = (typeof above === 'number' ? slope < above / 2 : true) && (typeof below === 'number' ? slope > below / 2 : true);
      if (calm) this.book.clear(alarmKey, at, out);
    }
  }

  /**
   * Stuck: the metric keeps arriving but has not moved by more than `tolerance` from the
   * value it last changed to for `unchangedFor`. Judged on the message that shows it (a
   * sensor that stops reporting is stale's alarm, not this one); a change clears it.
   */
  private stuckSample(r: CompiledRule, app: number, cols: TypeColumns, row: number, at: number, value: number, out: AlarmEvent[]): void {
    const col = cols.stuckColumn(r.def.id);
    const ref = col.ref[row] as number;
    if (Number.isNaN(ref) || Math.abs(value - ref) > paramNumber(r.params.tolerance, 0)) {
      col.ref[row] = value;
      col.since[row] = at;
      col.sinceTs[row] = this.apps.lastDeviceTs[app] as number;
      if (!Number.isNaN(ref) && this.book.isBusy(this.apps.ids[app] as string, r.def.id)) this.book.clear(`${this.apps.ids[app] as string}|${r.def.id}|${r.metric}`, at, out);
      return;
    }
    const since = col.since[row] as number;
    if (at - since < paramDuration(r.params.unchangedFor, 3_600_000)) return;
    const subject = this.subjectOf(app);
    if (this.book.byKey.has(`${subject.applianceId}|${r.def.id}|${r.metric}`)) return;
    this.book.raise(r, { ...subject, key: r.metric, at, title: r.def.description ?? `${r.metric} stuck at ${ref}`, facts: { metric: r.metric, value: ref, unchangedSinceMs: since } }, out);
  }

  /** Composite: all (or any) of `of` alarmed on this appliance, and none of `unless`. */
  private composites(app: number, at: number, out: AlarmEvent[]): void {
    const rules = this.typeRules(app).composite;
    if (rules.length === 0) return;
    const applianceId = this.apps.ids[app] as string;
    const active = (id: string): boolean => this.book.activeOn(applianceId, id);
    for (const r of rules) {
      const of = r.def.of ?? [];
      const holds = (r.params.op === 'any' ? of.some(active) : of.every(active)) && !(r.def.unless ?? []).some(active);
      const alarmKey = `${applianceId}|${r.def.id}|${r.def.id}`;
      if (holds && !this.book.byKey.has(alarmKey)) this.book.raise(r, { ...this.subjectOf(app), key: r.def.id, at, title: r.def.description ?? r.def.id, facts: { of: of.join(',') } }, out);
      else if (!holds) this.book.clear(alarmKey, at, out);
    }
  }

  private onInventory(input: Extract<EngineInput, { kind: 'inventory' }>, app: number, out: AlarmEvent[]): void {
    const day = new Date(input.at).toISOString().slice(0, 10);
    for (const r of this.typeRules(app).foodExpiry) {
      // Yesterday's digest has been sent: it ends with the household's next inventory instead of staying open for ever.
      const open = this.book.openOn(input.applianceId, r.def.id);
      if (open !== undefined) for (const k of [...open]) if (!k.endsWith(`|${day}`)) this.book.clear(k, input.at, out);
      const within = paramNumber(r.params.withinDays, 2) * DAY_MS;
      const items = input.items
        .map((i) => ({ itemId: i.itemId, name: i.name, expiresAt: itemExpiresAt(i) }))
        .filter((i) => i.expiresAt - input.at <= within)
        .map((i) => ({ ...i, expired: i.expiresAt <= input.at }));
      if (items.length === 0) continue;
      const existing = this.book.byKey.get(`${input.hubId}|${r.def.id}|${day}`);
      // One digest per household per day: only news (an item not yet in today's digest) updates it.
      let digest = items;
      if (existing !== undefined) {
        const known = new Set((existing.items ?? []).map((i) => i.itemId));
        const fresh = items.filter((i) => !known.has(i.itemId));
        if (fresh.length === 0) continue;
        digest = [...(existing.items ?? []), ...fresh];
      }
      const title = `${digest.length} food item${digest.length === 1 ? '' : 's'} expiring`;
      this.book.raise(r, { ...this.subjectOf(app), key: day, at: input.at, title, items: digest, subject: input.hubId }, out);
    }
  }

  // ── alarm state ───────────────────────────────────────────────────────────

  /** Acknowledging stops escalation; the alarm stays until its condition clears. */
  acknowledge(alarmKey: string, at: number): AlarmEvent[] {
    return this.book.acknowledge(alarmKey, at);
  }

  alarms(): AlarmState[] {
    return this.book.states();
  }

  /** How many timers are armed (offline, stale, durations, escalations). */
  get timerCount(): number {
    let n = this.hubTimers.size + this.timers.size;
    for (const w of this.entityTimers.values()) n += w.size;
    return n;
  }

  // ── persistence ───────────────────────────────────────────────────────────

  private applianceRecord(i: number): SnapshotAppliance {
    const { apps, hubs } = this;
    const cols = this.columns[apps.type[i] as number] as TypeColumns;
    const row = apps.slot[i] as number;
    const lastDeviceTs = apps.lastDeviceTs[i] as number;
    const stuck = cols.stuckOf(row);
    return {
      hubId: hubs.ids[apps.hub[i] as number] as string,
      type: this.typeOf(i),
      lastSeen: apps.lastSeen[i] as number,
      lastDeviceTs: Number.isFinite(lastDeviceTs) ? lastDeviceTs : null,
      seqs: apps.seqs(i),
      metrics: cols.metricsOf(row),
      state: cols.stateOf(row),
      ...(stuck !== undefined ? { stuck } : {}),
    };
  }

  private meta(): EngineMeta {
    return { version: this.version, wheel: this.timers.position };
  }

  snapshot(): string {
    const { apps, hubs } = this;
    const timers: [string, number][] = [];
    for (const [hub, at] of this.hubTimers.entries()) timers.push([`hub|${hubs.ids[hub] as string}`, at]);
    for (const [ruleId, wheel] of this.entityTimers) {
      for (const [app, at] of wheel.entries()) timers.push([`app|${apps.ids[app] as string}|${ruleId}`, at]);
    }
    timers.push(...this.timers.entries());
    const snap: Snapshot = {
      v: 3,
      version: this.version,
      alarms: [...this.book.byKey.values()],
      hubs: hubs.ids.map((id, i) => [id, { lastSeen: hubs.lastSeen[i] as number, offline: hubs.offline[i] === 1 }]),
      appliances: apps.ids.map((id, i) => [id, this.applianceRecord(i)]),
      work: [...this.work.entries()],
      timers,
      wheel: this.timers.position,
    };
    return JSON.stringify(snap);
  }

  /** Marks every hub, appliance, alarm and working state as changed (the next `takeChanges` rewrites them all). */
  markAllChanged(): void {
    const c = this.changed;
    if (c === undefined) return;
    for (let i = 0; i < this.apps.size; i++) c.apps.add(i);
    for (let i = 0; i < this.hubs.ids.length; i++) c.hubs.add(i);
    for (const k of this.book.byKey.keys()) c.alarms.add(k);
    for (const k of this.work.keys()) c.work.add(k);
    for (const [k] of this.timers.entries()) c.timers.add(k);
  }

  /** What changed since the last call (needs `trackChanges`), and forgets it. */
  takeChanges(): EngineChanges {
    const c = this.changed;
    if (c === undefined) throw new Error('the engine was created without trackChanges');
    const { apps, hubs } = this;
    const changes: EngineChanges = {
      ...this.meta(),
      hubs: [...c.hubs].map((h) => [hubs.ids[h] as string, { lastSeen: hubs.lastSeen[h] as number, offline: hubs.offline[h] === 1, due: this.hubTimers.dueOf(h) ?? null }]),
      appliances: [...c.apps].map((i) => {
        const timers: [string, number][] = [];
        for (const [ruleId, wheel] of this.entityTimers) {
          const due = wheel.dueOf(i);
          if (due !== undefined) timers.push([ruleId, due]);
        }
        return [apps.ids[i] as string, { ...this.applianceRecord(i), timers }];
      }),
      alarms: [...c.alarms].map((k) => [k, this.book.byKey.get(k) ?? null]),
      work: [...c.work].map((k) => [k, this.work.get(k) ?? null]),
      timers: [...c.timers].map((k) => [k, this.timers.dueOf(k) ?? null]),
    };
    c.apps.clear();
    c.hubs.clear();
    c.alarms.clear();
    c.work.clear();
    c.timers.clear();
    return changes;
  }

  /** Rebuilds an engine from a checkpoint stored as parts (see `takeChanges`). */
  static fromParts(parts: EngineParts, opts: EngineOptions): Engine {
    const timers: [string, number][] = [...parts.timers];
    for (const [id, h] of parts.hubs) if (h.due !== null) timers.push([`hub|${id}`, h.due]);
    for (const [id, a] of parts.appliances) for (const [ruleId, at] of a.timers) timers.push([`app|${id}|${ruleId}`, at]);
    return Engine.fromSnapshot(
      { v: 3, version: parts.version, wheel: parts.wheel, alarms: parts.alarms, hubs: parts.hubs.map(([id, h]) => [id, { lastSeen: h.lastSeen, offline: h.offline }]), appliances: parts.appliances, work: parts.work, timers },
      opts,
    );
  }

  static restore(snapshot: string, opts: EngineOptions): Engine {
    return Engine.fromSnapshot(JSON.parse(snapshot) as Snapshot, opts);
  }

  private static fromSnapshot(snap: Snapshot, opts: EngineOptions): Engine {
    if (snap.v !== 2 && snap.v !== 3) throw new Error(`unknown engine snapshot version ${String(snap.v)}`);
    const engine = new Engine(opts);
    const { apps, hubs } = engine;
    engine.book.restore(snap.alarms);
    for (const [id, hub] of snap.hubs) {
      const i = engine.hubIndex(id, hub.lastSeen); // may grow the columns: index first, then write
      hubs.offline[i] = hub.offline ? 1 : 0;
    }
    for (const [id, a] of snap.appliances) {
      const app = engine.addAppliance(id, a.hubId, a.type, a.lastSeen);
      apps.lastDeviceTs[app] = a.lastDeviceTs ?? -Infinity;
      for (const seq of a.seqs) apps.seen(app, seq);
      const cols = engine.columns[apps.type[app] as number] as TypeColumns;
      const row = apps.slot[app] as number;
      for (const [k, v] of Object.entries(a.metrics)) cols.setMetric(row, k, v);
      for (const [k, v] of Object.entries(a.state)) cols.setState(row, k, v);
      for (const [ruleId, [ref, since, sinceTs]] of Object.entries(a.stuck ?? {})) {
        if (engine.index.byId.get(ruleId)?.def.kind !== 'stuck') continue;
        const col = cols.stuckColumn(ruleId);
        col.ref[row] = ref;
        col.since[row] = since;
        col.sinceTs[row] = sinceTs ?? -Infinity;
      }
    }
    for (const [k, w] of snap.work) {
      engine.work.set(k, w);
      const [applianceId, ruleId] = k.split('|');
      if (applianceId !== undefined && ruleId !== undefined) engine.book.markBusy(applianceId, ruleId);
    }
    engine.timers = new TimingWheel(1000, 4096, snap.wheel);
    engine.hubTimers = new CompactWheel(1000, 4096, snap.wheel);
    for (const [key, at] of snap.timers) {
      const [kind, id = '', ruleId = ''] = key.split('|');
      if (kind === 'hub') {
        const hub = hubs.index.get(id);
        if (hub !== undefined) engine.hubTimers.set(hub, at);
      } else if (kind === 'app' || kind === 'stale') {
        const app = apps.index.get(id);
        if (app !== undefined && engine.index.byId.has(ruleId)) engine.wheelOf(ruleId).set(app, at);
      } else engine.timers.set(key, at);
    }
    return engine;
  }

  /**
   * Deploys a new rule version. Alarms of rules that remain are kept (a changed rule keeps
   * its open alarms and they are re-judged by its new condition on the next message);
   * working state of unchanged rules and every running timer is kept; alarms of removed
   * rules clear. Silence timers follow a changed silentFor from the last time heard.
   */
  deploy(rules: readonly RuleDef[], version: number, now: number): AlarmEvent[] {
    const before = new Map(this.index.rules.map((r) => [r.def.id, JSON.stringify(r.def)]));
    this.index = new RuleIndex(rules, this.overrides);
    this.markAllChanged();
    this.version = version;
    const out: AlarmEvent[] = [];
    const { byId } = this.index;
    for (const rec of [...this.book.byKey.values()]) if (!byId.has(rec.ruleId)) this.book.clear(rec.alarmKey, now, out);
    for (const [k] of [...this.work]) {
      const ruleId = k.split('|')[1] ?? '';
      const r = byId.get(ruleId);
      if (r === undefined || before.get(ruleId) !== JSON.stringify(r.def)) this.deleteWork(k);
    }
    // A changed or removed stuck rule starts judging afresh from the next reading.
    for (const ruleId of before.keys()) {
      const r = byId.get(ruleId);
      if (r === undefined || before.get(ruleId) !== JSON.stringify(r.def)) for (const cols of this.columns) cols.dropStuck(ruleId);
    }
    // Appliance timers belong to their rule: a removed rule, or one that changed kind, takes them along.
    for (const ruleId of [...this.entityTimers.keys()]) {
      const kind = byId.get(ruleId)?.def.kind;
      if (kind !== 'appliance-offline' && kind !== 'stale') this.entityTimers.delete(ruleId);
    }
    for (const r of this.index.rules) {
      if (before.get(r.def.id) === JSON.stringify(r.def)) continue;
      if (r.def.kind === 'hub-offline') {
        for (let hub = 0; hub < this.hubs.ids.length; hub++) if (this.hubs.offline[hub] === 0) this.hubTimers.set(hub, (this.hubs.lastSeen[hub] as number) + this.index.hubSilentFor);
      }
      if (r.def.kind === 'appliance-offline') {
        const silentFor = paramDuration(r.params.silentFor, 3_600_000);
        for (let app = 0; app < this.apps.size; app++) if (applies(r.def, this.typeOf(app))) this.wheelOf(r.def.id).set(app, (this.apps.lastSeen[app] as number) + silentFor);
      }
    }
    return out;
  }
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
