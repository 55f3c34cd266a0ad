/**
 * The engine's state as checkpoints: a whole snapshot (JSON, version 3; version 2 still
 * read) or, for incremental checkpoints, the parts that changed — hubs, appliances (with
 * their silence and stale timers), alarms, working state and named timers — which a gateway
 * stores as rows. Restoring either resumes exactly, timers included.
 */
import type { ApplianceType } from '@forecare/firmware-contracts';
import type { AlarmRec } from './alarm-book.js';
import { CompactWheel } from './compact-wheel.js';
import type { EngineState, RuleWork } from './engine-state.js';
import { TimingWheel } from './timing-wheel.js';

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

export interface Snapshot {
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

function applianceRecord(s: EngineState, i: number): SnapshotAppliance {
  const { apps, hubs } = s;
  const cols = s.columnsOf(i);
  const row = apps.slot[i] as number;
  const lastDeviceTs = apps.lastDeviceTs[i] as number;
  const stuck = cols.stuckOf(row);
  return {
    hubId: hubs.ids[apps.hub[i] as number] as string,
    type: s.typeOf(i),
    lastSeen: apps.lastSeen[i] as number,
    lastDeviceTs: Number.isFinite(lastDeviceTs) ? lastDeviceTs : null,
    seqs: apps.seqs(i),
    metrics: cols.metricsOf(row),
    state: cols.stateOf(row),
    ...(stuck !== undefined ? { stuck } : {}),
  };
}

export function snapshotOf(s: EngineState): Snapshot {
  const { apps, hubs } = s;
  const timers: [string, number][] = [];
  for (const [hub, at] of s.hubTimers.entries()) timers.push([`hub|${hubs.ids[hub] as string}`, at]);
  for (const [ruleId, wheel] of s.entityTimers) {
    for (const [app, at] of wheel.entries()) timers.push([`app|${apps.ids[app] as string}|${ruleId}`, at]);
  }
  timers.push(...s.timers.entries());
  return {
    v: 3,
    version: s.version,
    alarms: [...s.book.byKey.values()],
    hubs: hubs.ids.map((id, i) => [id, { lastSeen: hubs.lastSeen[i] as number, offline: hubs.offline[i] === 1 }]),
    appliances: apps.ids.map((id, i) => [id, applianceRecord(s, i)]),
    work: [...s.work.entries()],
    timers,
    wheel: s.timers.position,
  };
}

/** Marks every hub, appliance, alarm and working state as changed (the next `takeChanges` rewrites them all). */
export function markAllChanged(s: EngineState): void {
  const c = s.changed;
  if (c === undefined) return;
  for (let i = 0; i < s.apps.size; i++) c.apps.add(i);
  for (let i = 0; i < s.hubs.ids.length; i++) c.hubs.add(i);
  for (const k of s.book.byKey.keys()) c.alarms.add(k);
  for (const k of s.work.keys()) c.work.add(k);
  for (const [k] of s.timers.entries()) c.timers.add(k);
}

/** What changed since the last call (needs `trackChanges`), and forgets it. */
export function takeChanges(s: EngineState): EngineChanges {
  const c = s.changed;
  if (c === undefined) throw new Error('the engine was created without trackChanges');
  const { apps, hubs } = s;
  const changes: EngineChanges = {
    version: s.version,
    wheel: s.timers.position,
    hubs: [...c.hubs].map((h) => [hubs.ids[h] as string, { lastSeen: hubs.lastSeen[h] as number, offline: hubs.offline[h] === 1, due: s.hubTimers.dueOf(h) ?? null }]),
    appliances: [...c.apps].map((i) => {
      const timers: [string, number][] = [];
      for (const [ruleId, wheel] of s.entityTimers) {
        const due = wheel.dueOf(i);
        if (due !== undefined) timers.push([ruleId, due]);
      }
      return [apps.ids[i] as string, { ...applianceRecord(s, i), timers }];
    }),
    alarms: [...c.alarms].map((k) => [k, s.book.byKey.get(k) ?? null]),
    work: [...c.work].map((k) => [k, s.work.get(k) ?? null]),
    timers: [...c.timers].map((k) => [k, s.timers.dueOf(k) ?? null]),
  };
  c.apps.clear();
  c.hubs.clear();
  c.alarms.clear();
  c.work.clear();
  c.timers.clear();
  return changes;
}

/** A checkpoint stored as parts, as one snapshot (timers by name). */
export function snapshotOfParts(parts: EngineParts): Snapshot {
  const timers: [string, number][] = [...parts.timers];
  for (const [id, h] of parts.hubs) if (h.due !== null) timers.push([`hub|${id}`, h.due]);
  for (const [id, a] of parts.appliances) for (const [ruleId, at] of a.timers) timers.push([`app|${id}|${ruleId}`, at]);
  return { v: 3, version: parts.version, wheel: parts.wheel, alarms: parts.alarms, hubs: parts.hubs.map(([id, h]) => [id, { lastSeen: h.lastSeen, offline: h.offline }]), appliances: parts.appliances, work: parts.work, timers };
}

/** Loads a snapshot into a fresh engine state (built with the rules to run). */
export function restoreInto(s: EngineState, snap: Snapshot): void {
  if (snap.v !== 2 && snap.v !== 3) throw new Error(`unknown engine snapshot version ${String(snap.v)}`);
  const { apps, hubs } = s;
  s.book.restore(snap.alarms);
  for (const [id, hub] of snap.hubs) {
    const i = s.hubIndex(id, hub.lastSeen); // may grow the columns: index first, then write
    hubs.offline[i] = hub.offline ? 1 : 0;
  }
  for (const [id, a] of snap.appliances) {
    const app = s.addAppliance(id, a.hubId, a.type, a.lastSeen);
    apps.lastDeviceTs[app] = a.lastDeviceTs ?? -Infinity;
    for (const seq of a.seqs) apps.seen(app, seq);
    const cols = s.columnsOf(app);
    const row = apps.slot[app] as number;
    for (const [k, v] of Object.entries(a.metrics)) cols.setMetric(row, k, v);
    for (const [k, v] of Object.entries(a.state)) cols.setState(row, k, v);
    for (const [ruleId, [ref, since, sinceTs]] of Object.entries(a.stuck ?? {})) {
      if (s.index.byId.get(ruleId)?.def.kind !== 'stuck') continue;
      const col = cols.stuckColumn(ruleId);
      col.ref[row] = ref;
      col.since[row] = since;
      col.sinceTs[row] = sinceTs ?? -Infinity;
    }
  }
  for (const [k, w] of snap.work) {
    s.work.set(k, w);
    const [applianceId, ruleId] = k.split('|');
    if (applianceId !== undefined && ruleId !== undefined) s.book.markBusy(applianceId, ruleId);
  }
  s.timers = new TimingWheel(1000, 4096, snap.wheel);
  s.hubTimers = new CompactWheel(1000, 4096, snap.wheel);
  for (const [key, at] of snap.timers) {
    const [kind, id = '', ruleId = ''] = key.split('|');
    if (kind === 'hub') {
      const hub = hubs.index.get(id);
      if (hub !== undefined) s.hubTimers.set(hub, at);
    } else if (kind === 'app' || kind === 'stale') {
      const app = apps.index.get(id);
      if (app !== undefined && s.index.byId.has(ruleId)) s.wheelOf(ruleId).set(app, at);
    } else s.timers.set(key, at);
  }
}
