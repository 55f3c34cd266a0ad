/**
 * The engine's state as checkpoints: a whole snapshot (JSON, version 4; versions 2 and 3
 * still read, their appliance keys upgraded, see `upgradeKeys`) or, for incremental checkpoints, the parts that changed — hubs, appliances (with
 * their silence and stale timers), alarms, working state and named timers — which a gateway
 * stores as rows. Restoring either resumes exactly, timers included.
 */
import type { ApplianceType } from '@forecare/firmware-contracts';
import type { AlarmRec } from './alarm-book.js';
import { CompactWheel } from './compact-wheel.js';
import type { EngineState, RuleWork } from './engine-state.js';
import { applianceKey, HUB_LEAVING, HUB_OFFLINE, HUB_ONLINE } from './state.js';
import { TimingWheel } from './timing-wheel.js';

export interface SnapshotAppliance {
  hubId: string;
  type: ApplianceType;
  lastSeen: number;
  lastDeviceTs: number | null;
  seqs: number[];
  /** Device time of the highest seq (absent in checkpoints from before it was kept). */
  seqTs?: number | undefined;
  metrics: Record<string, number | boolean>;
  state: Record<string, string | boolean>;
  /** When each state last changed value (absent: none has been seen changing). */
  stateSince?: Record<string, number> | undefined;
  /** Stuck rules' references by rule id: the value the metric last changed to, since when (server, device time), and when it was last read. */
  stuck?: Record<string, [number, number, number?, number?]> | undefined;
}

export interface Snapshot {
  /** 4: keyed by (hub, appliance); 3 (still read): by appliance id alone, in columns; 2 (still read): one object per appliance. */
  v: 2 | 3 | 4;
  version: number;
  alarms: AlarmRec[];
  hubs: [string, HubRecord][];
  /** By appliance key (`hub/appliance`; the bare appliance id before version 4). */
  appliances: [string, SnapshotAppliance][];
  work: [string, RuleWork][];
  /** Every armed timer by name: `hub|<hub>`, `app|<appliance key>|<rule>`, `stale|<appliance key>|<rule>`, `thr|…`, `thc|…`, `esc|<alarm>`, `food|<hub>|<rule>`. */
  timers: [string, number][];
  wheel: number;
}

/** An appliance as checkpointed: its record plus its armed silence/stale timers by rule. */
export interface AppliancePart extends SnapshotAppliance {
  timers: [string, number][];
}

/** A hub as checkpointed. */
export interface HubRecord {
  lastSeen: number;
  offline: boolean;
  /** Set while its last will's grace period runs: when it left. */
  leftAt?: number | undefined;
}

export interface HubPart extends HubRecord {
  /** When its silence timer is due; null when none is armed. */
  due: number | null;
}

/** What is global to a checkpoint (the per-entity parts are stored beside it). */
export interface EngineMeta {
  version: number;
  wheel: number;
  /** 2: parts keyed by (hub, appliance); absent: by appliance id alone (upgraded when read). */
  keys?: 2 | undefined;
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
  const stateSince = cols.stateSinceOf(row);
  return {
    hubId: hubs.ids[apps.hub[i] as number] as string,
    type: s.typeOf(i),
    lastSeen: apps.lastSeen[i] as number,
    lastDeviceTs: Number.isFinite(lastDeviceTs) ? lastDeviceTs : null,
    seqs: apps.seqs(i),
    ...(Number.isFinite(apps.seqMaxTs[i]) ? { seqTs: apps.seqMaxTs[i] as number } : {}),
    metrics: cols.metricsOf(row),
    state: cols.stateOf(row),
    ...(stateSince !== undefined ? { stateSince } : {}),
    ...(stuck !== undefined ? { stuck } : {}),
  };
}

function hubRecord(s: EngineState, i: number): HubRecord {
  const { hubs } = s;
  const state = hubs.offline[i];
  return { lastSeen: hubs.lastSeen[i] as number, offline: state === HUB_OFFLINE, ...(state === HUB_LEAVING ? { leftAt: hubs.leftAt[i] as number } : {}) };
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
    v: 4,
    version: s.version,
    alarms: [...s.book.byKey.values()],
    hubs: hubs.ids.map((id, i) => [id, hubRecord(s, i)]),
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
    keys: 2,
    version: s.version,
    wheel: s.timers.position,
    hubs: [...c.hubs].map((h) => [hubs.ids[h] as string, { ...hubRecord(s, h), due: s.hubTimers.dueOf(h) ?? null }]),
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
  return { v: parts.keys === 2 ? 4 : 3, version: parts.version, wheel: parts.wheel, alarms: parts.alarms, hubs: parts.hubs.map(([id, h]) => [id, { lastSeen: h.lastSeen, offline: h.offline, ...(h.leftAt !== undefined ? { leftAt: h.leftAt } : {}) }]), appliances: parts.appliances, work: parts.work, timers };
}

/** Loads a snapshot into a fresh engine state (built with the rules to run). */
export function restoreInto(s: EngineState, given: Snapshot): void {
  if (given.v !== 2 && given.v !== 3 && given.v !== 4) throw new Error(`unknown engine snapshot version ${String(given.v)}`);
  const snap = upgradeKeys(given);
  const { apps, hubs } = s;
  s.book.restore(snap.alarms);
  for (const [id, hub] of snap.hubs) {
    const i = s.hubIndex(id, hub.lastSeen); // may grow the columns: index first, then write
    hubs.offline[i] = hub.offline ? HUB_OFFLINE : hub.leftAt !== undefined ? HUB_LEAVING : HUB_ONLINE;
    hubs.leftAt[i] = hub.leftAt ?? 0;
  }
  for (const [key, a] of snap.appliances) {
    const app = s.addAppliance(key.slice(a.hubId.length + 1), a.hubId, a.type, a.lastSeen);
    apps.lastDeviceTs[app] = a.lastDeviceTs ?? -Infinity;
    for (const seq of a.seqs) apps.seen(app, seq);
    // Before device times were kept, a seq in the window was a duplicate whatever its time: still so until the next new one.
    apps.seqMaxTs[app] = a.seqTs ?? Infinity;
    const cols = s.columnsOf(app);
    const row = apps.slot[app] as number;
    for (const [k, v] of Object.entries(a.metrics)) cols.setMetric(row, k, v);
    for (const [k, v] of Object.entries(a.state)) cols.setState(row, k, v);
    for (const [k, at] of Object.entries(a.stateSince ?? {})) cols.setStateSince(row, k, at);
    for (const [ruleId, [ref, since, sinceTs, last]] of Object.entries(a.stuck ?? {})) {
      if (s.index.byId.get(ruleId)?.def.kind !== 'stuck') continue;
      const col = cols.stuckColumn(ruleId);
      col.ref[row] = ref;
      col.since[row] = since;
      col.sinceTs[row] = sinceTs ?? -Infinity;
      // Checkpoints from before it was kept: the period's time so far counts whole.
      col.last[row] = last ?? NaN;
    }
  }
  for (const [k, w] of snap.work) {
    s.work.set(k, w);
    const [subject, ruleId] = k.split('|');
    if (subject !== undefined && ruleId !== undefined) s.book.markBusy(subject, ruleId);
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

/**
 * An alarm key from before alarms were keyed by (hub, appliance): `appliance|rule|key`
 * becomes `hub/appliance|rule|key`; hub alarms and household digests (`hub|rule|key`) stay.
 * For stores that kept alarm keys (the gateway's alarm table) to follow the engine's.
 */
export function upgradeAlarmKey(alarmKey: string, hubId: string, applianceId: string | null | undefined): string {
  if (applianceId == null || !alarmKey.startsWith(`${applianceId}|`) || alarmKey.startsWith(`${applianceKey(hubId, applianceId)}|`)) return alarmKey;
  return applianceKey(hubId, applianceId) + alarmKey.slice(applianceId.length);
}

/**
 * A snapshot keyed by appliance id alone (before version 4), keyed by (hub, appliance): the
 * appliances, their working state, alarms and timers. Each old appliance record names its
 * hub, so every key can be rebuilt; household digests (keyed by hub) stay as they were.
 */
export function upgradeKeys(snap: Snapshot): Snapshot {
  if (snap.v === 4) return snap;
  const hubOf = new Map(snap.appliances.map(([id, a]) => [id, a.hubId]));
  // A key with a `/` is already (hub, appliance): ids never hold one. Upgrading twice changes nothing.
  const appKey = (id: string): string => {
    const hub = hubOf.get(id);
    return hub === undefined || id.includes('/') ? id : applianceKey(hub, id);
  };
  const alarmKeys = new Map<string, string>();
  const alarms = snap.alarms.map((rec) => {
    const alarmKey = upgradeAlarmKey(rec.alarmKey, rec.hubId, rec.applianceId);
    alarmKeys.set(rec.alarmKey, alarmKey);
    // An appliance id on an alarm not keyed by it was a household's digest: it is the hub's.
    const household = rec.applianceId !== undefined && alarmKey === rec.alarmKey && !alarmKey.startsWith(`${applianceKey(rec.hubId, rec.applianceId)}|`);
    return { ...rec, alarmKey, ...(household ? { applianceId: undefined, applianceType: undefined } : {}) };
  });
  const rekey = (k: string): string => {
    const bar = k.indexOf('|');
    return bar < 0 ? k : appKey(k.slice(0, bar)) + k.slice(bar);
  };
  const timers = snap.timers.map(([name, at]): [string, number] => {
    const [kind = '', ...rest] = name.split('|');
    if (kind === 'esc') return [`esc|${alarmKeys.get(rest.join('|')) ?? rest.join('|')}`, at];
    if (kind === 'app' || kind === 'stale' || kind === 'thr' || kind === 'thc') return [`${kind}|${rekey(rest.join('|'))}`, at];
    return [name, at];
  });
  return { ...snap, v: 4, alarms, appliances: snap.appliances.map(([id, a]) => [appKey(id), a]), work: snap.work.map(([k, w]) => [rekey(k), w]), timers };
}
