/**
 * The engine's per-appliance and per-hub state, kept in columns (typed arrays indexed by a
 * dense number) rather than one object per appliance: a million idle appliances must cost
 * little. An appliance's latest metric and state values live in its type's columns, one
 * Float64 per (appliance, metric) it has reported.
 */
import { APPLIANCE_TYPES, type ApplianceType } from '@forecare/firmware-contracts';
import type { AttachedRules } from './rule-index.js';

export const TYPE_INDEX: ReadonlyMap<ApplianceType, number> = new Map(APPLIANCE_TYPES.map((t, i) => [t, i]));

/**
 * An appliance's key: its id is unique only within its hub (two homes may both have
 * `fridge-1`), so everything the engine keeps about an appliance — work, alarms, timers,
 * checkpoints — is keyed by `hubId/applianceId`. Ids never hold a `/` (they are MQTT topic
 * levels, firmware-contracts' ID pattern), so the key is unambiguous.
 */
export function applianceKey(hubId: string, applianceId: string): string {
  return `${hubId}/${applianceId}`;
}

/** The alarm key of an appliance's alarm (`hub/appliance|rule|key`) or of a hub's (`hub|rule|key`). */
export function alarmKeyOf(hubId: string, applianceId: string | undefined, ruleId: string, key: string): string {
  return `${applianceId === undefined ? hubId : applianceKey(hubId, applianceId)}|${ruleId}|${key}`;
}

/** Appliances of a hub looked up by walking its list before the key map: a hub has a handful. */
const HUB_SCAN = 8;

function grown<T extends Float64Array | Int32Array | Uint32Array | Uint8Array>(old: T, cap: number, fill: number, make: (n: number) => T): T {
  const next = make(cap);
  if (fill !== 0) next.fill(fill);
  next.set(old);
  return next;
}

const capacityFor = (need: number, have: number): number => {
  let cap = Math.max(1024, have);
  while (cap < need) cap *= 2;
  return cap;
};

/** Seqs remembered per appliance for redelivery detection: the highest and the 31 below it. */
export const SEQ_WINDOW = 32;

export class ApplianceTable {
  /** By appliance key (`applianceKey`). */
  readonly index = new Map<string, number>();
  /** Appliance keys (`hub/appliance`), by index. */
  readonly ids: string[] = [];
  /** Appliance ids as the hub names them (unique only within the hub), by index. */
  readonly names: string[] = [];
  hub = new Int32Array(0);
  type = new Uint8Array(0);
  /** Position among the appliances of its type (its row in the type's columns). */
  slot = new Int32Array(0);
  lastSeen = new Float64Array(0);
  /** Latest device time applied to the current values (older readings only feed trends). */
  lastDeviceTs = new Float64Array(0);
  seqMax = new Float64Array(0);
  /** Device time of the message that carried `seqMax`. */
  seqMaxTs = new Float64Array(0);
  /** Bit i set: seq `seqMax - i` was seen. */
  seqMask = new Uint32Array(0);
  /** The next appliance of the same hub (a linked list per hub), -1 at the end. */
  nextInHub = new Int32Array(0);

  get size(): number {
    return this.ids.length;
  }

  add(key: string, name: string, hub: number, type: number, slot: number, at: number): number {
    const i = this.ids.length;
    if (i >= this.hub.length) this.grow(i + 1);
    this.ids.push(key);
    this.names.push(name);
    this.index.set(key, i);
    this.hub[i] = hub;
    this.type[i] = type;
    this.slot[i] = slot;
    this.lastSeen[i] = at;
    this.lastDeviceTs[i] = -Infinity;
    this.seqMax[i] = NaN;
    this.seqMaxTs[i] = -Infinity;
    this.seqMask[i] = 0;
    return i;
  }

  private grow(need: number): void {
    const cap = capacityFor(need, this.hub.length);
    this.hub = grown(this.hub, cap, 0, (n) => new Int32Array(n));
    this.type = grown(this.type, cap, 0, (n) => new Uint8Array(n));
    this.slot = grown(this.slot, cap, 0, (n) => new Int32Array(n));
    this.lastSeen = grown(this.lastSeen, cap, 0, (n) => new Float64Array(n));
    this.lastDeviceTs = grown(this.lastDeviceTs, cap, 0, (n) => new Float64Array(n));
    this.seqMax = grown(this.seqMax, cap, 0, (n) => new Float64Array(n));
    this.seqMaxTs = grown(this.seqMaxTs, cap, 0, (n) => new Float64Array(n));
    this.seqMask = grown(this.seqMask, cap, 0, (n) => new Uint32Array(n));
    this.nextInHub = grown(this.nextInHub, cap, -1, (n) => new Int32Array(n));
  }

  /**
   * Records `seq` (carried with device time `ts`) for appliance `i`; true when it was already
   * seen (a redelivery: the same message again). A counter reset — the hub rebooted — is news,
   * not a duplicate: a seq more than the window below the highest, or one not above it that
   * comes with a newer device time than the highest had (a redelivery carries its old time).
   */
  seen(i: number, seq: number, ts = -Infinity): boolean {
    const max = this.seqMax[i] as number;
    if (Number.isNaN(max) || seq > max || max - seq >= SEQ_WINDOW || (seq <= max && ts > (this.seqMaxTs[i] as number))) {
      const shift = Number.isNaN(max) || seq <= max ? SEQ_WINDOW : seq - max;
      this.seqMask[i] = shift >= SEQ_WINDOW ? 1 : (((this.seqMask[i] as number) << shift) | 1) >>> 0;
      this.seqMax[i] = seq;
      this.seqMaxTs[i] = ts;
      return false;
    }
    const bit = 1 << (max - seq);
    if (((this.seqMask[i] as number) & bit) !== 0) return true;
    this.seqMask[i] = ((this.seqMask[i] as number) | bit) >>> 0;
    return false;
  }

  /** The seqs remembered for appliance `i`, oldest first (for snapshots). */
  seqs(i: number): number[] {
    const max = this.seqMax[i] as number;
    const mask = this.seqMask[i] as number;
    const out: number[] = [];
    for (let b = SEQ_WINDOW - 1; b >= 0; b--) if ((mask >>> b) & 1) out.push(max - b);
    return out;
  }
}

/** The appliance `name` of hub `hub`, or undefined: its list first (no key built per message), the key map past a few. */
export function findAppliance(hubs: HubTable, apps: ApplianceTable, hub: number, name: string): number | undefined {
  let n = 0;
  for (let app = hubs.firstApp[hub] as number; app >= 0; app = apps.nextInHub[app] as number) {
    if (apps.names[app] === name) return app;
    if (++n >= HUB_SCAN) return apps.index.get(applianceKey(hubs.ids[hub] as string, name));
  }
  return undefined;
}

/** `HubTable.offline`: heard from lately; alarmed offline; gone by its last will and still within the grace period. */
export const HUB_ONLINE = 0;
export const HUB_OFFLINE = 1;
export const HUB_LEAVING = 2;

export class HubTable {
  readonly index = new Map<string, number>();
  readonly ids: string[] = [];
  lastSeen = new Float64Array(0);
  /** HUB_ONLINE, HUB_OFFLINE or HUB_LEAVING. */
  offline = new Uint8Array(0);
  /** When its last will came (the moment it left), while HUB_LEAVING. */
  leftAt = new Float64Array(0);
  /** First appliance of the hub, -1 when none. */
  firstApp = new Int32Array(0);

  add(id: string, at: number): number {
    const i = this.ids.length;
    if (i >= this.lastSeen.length) {
      const cap = capacityFor(i + 1, this.lastSeen.length);
      this.lastSeen = grown(this.lastSeen, cap, 0, (n) => new Float64Array(n));
      this.offline = grown(this.offline, cap, 0, (n) => new Uint8Array(n));
      this.leftAt = grown(this.leftAt, cap, 0, (n) => new Float64Array(n));
      this.firstApp = grown(this.firstApp, cap, -1, (n) => new Int32Array(n));
    }
    this.ids.push(id);
    this.index.set(id, i);
    this.lastSeen[i] = at;
    this.offline[i] = 0;
    return i;
  }
}

type Value = number | boolean;

/**
 * One metric of one appliance type: its column of latest values and, attached by the
 * engine, the value rules that read it — one lookup per metric of a message serves both.
 */
export interface MetricSlot extends AttachedRules {
  values: Float64Array;
  /** Reported as a boolean (stored as 0/1). */
  bool: boolean;
}

/**
 * What a stuck rule remembers per appliance of a type: the value its metric last changed to
 * (NaN = not yet reported) and since when.
 */
export interface StuckColumn {
  ref: Float64Array;
  since: Float64Array;
  /** Device time of the reading the value changed at (a late reading from before it is no change). */
  sinceTs: Float64Array;
  /** Server time of the latest reading of the metric (a silence between readings does not count as stuck time). */
  last: Float64Array;
}

/**
 * The latest values of one appliance type, a column per metric (NaN = never reported) and
 * per state (an index into that state's values, -1 = never reported); and, for the stuck
 * rules that apply to the type, a reference column per rule (made on first use, so a type
 * without stuck rules pays nothing).
 */
export class TypeColumns {
  private rows = 0;
  private capacity = 0;
  private readonly metrics = new Map<string, MetricSlot>();
  private readonly states = new Map<string, Int32Array>();
  private readonly stateValues = new Map<string, { values: (string | boolean)[]; index: Map<string | boolean, number> }>();
  /** Per state: when its value last changed (server time; NaN until a change was seen — a first value is no change). */
  private readonly stateSince = new Map<string, Float64Array>();
  private readonly stuck = new Map<string, StuckColumn>();

  /** A new row; its index is the appliance's slot. */
  addRow(): number {
    if (this.rows >= this.capacity) {
      const cap = capacityFor(this.rows + 1, this.capacity);
      for (const slot of this.metrics.values()) slot.values = grown(slot.values, cap, NaN, (n) => new Float64Array(n));
      for (const [k, col] of this.states) this.states.set(k, grown(col, cap, -1, (n) => new Int32Array(n)));
      for (const [k, col] of this.stateSince) this.stateSince.set(k, grown(col, cap, NaN, (n) => new Float64Array(n)));
      for (const col of this.stuck.values()) {
        col.ref = grown(col.ref, cap, NaN, (n) => new Float64Array(n));
        col.since = grown(col.since, cap, NaN, (n) => new Float64Array(n));
        col.sinceTs = grown(col.sinceTs, cap, NaN, (n) => new Float64Array(n));
        col.last = grown(col.last, cap, NaN, (n) => new Float64Array(n));
      }
      this.capacity = cap;
    }
    return this.rows++;
  }

  /** The metric's slot, created on first sight. */
  slot(name: string): MetricSlot {
    let slot = this.metrics.get(name);
    if (slot === undefined) {
      slot = { values: new Float64Array(this.capacity).fill(NaN), bool: false, source: undefined, threshold: [], repeat: [] };
      this.metrics.set(name, slot);
    }
    return slot;
  }

  setMetric(row: number, name: string, value: Value): MetricSlot {
    const slot = this.slot(name);
    if (typeof value === 'boolean') {
      slot.bool = true;
      slot.values[row] = value ? 1 : 0;
    } else slot.values[row] = value;
    return slot;
  }

  metric(row: number, name: string): Value | undefined {
    const slot = this.metrics.get(name);
    const v = slot?.values[row];
    if (slot === undefined || v === undefined || Number.isNaN(v)) return undefined;
    return slot.bool ? v === 1 : v;
  }
  /** Sets a state's value; `at` (server time) marks a change from a different earlier value (see `stateAgeOf`). */
  setState(row: number, name: string, value: string | boolean, at = NaN): void {
    let col = this.states.get(name);
    let dict = this.stateValues.get(name);
    let since = this.stateSince.get(name);
    if (col === undefined || dict === undefined || since === undefined) {
      col = new Int32Array(this.capacity).fill(-1);
      dict = { values: [], index: new Map() };
      since = new Float64Array(this.capacity).fill(NaN);
      this.states.set(name, col);
      this.stateValues.set(name, dict);
      this.stateSince.set(name, since);
    }
    let v = dict.index.get(value);
    if (v === undefined) {
      v = dict.values.length;
      dict.values.push(value);
      dict.index.set(value, v);
    }
    const was = col[row] as number;
    if (was >= 0 && was !== v) since[row] = at;
    col[row] = v;
  }

  /** When a state's value last changed, by state (for snapshots); undefined when none has. */
  stateSinceOf(row: number): Record<string, number> | undefined {
    let out: Record<string, number> | undefined;
    for (const [name, col] of this.stateSince) {
      const t = col[row] as number;
      if (Number.isNaN(t)) continue;
      out ??= {};
      out[name] = t;
    }
    return out;
  }

  /** Restores when a state last changed. */
  setStateSince(row: number, name: string, at: number): void {
    const col = this.stateSince.get(name);
    if (col !== undefined) col[row] = at;
  }

  /** How long (ms, to `now`) each state has held its value since it last changed — for conditions (`stateAge.mode`); states never seen changing are absent. */
  stateAgeOf(row: number, now: number): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, col] of this.stateSince) {
      const t = col[row] as number;
      if (!Number.isNaN(t)) out[name] = Math.max(0, now - t);
    }
    return out;
  }

  /** Every metric the row has reported, as an object (for CEL conditions and alarm facts). */
  metricsOf(row: number): Record<string, Value> {
    const out: Record<string, Value> = {};
    for (const name of this.metrics.keys()) {
      const v = this.metric(row, name);
      if (v !== undefined) out[name] = v;
    }
    return out;
  }

  /** The reference column of stuck rule `ruleId`, created on first use. */
  stuckColumn(ruleId: string): StuckColumn {
    let col = this.stuck.get(ruleId);
    if (col === undefined) {
      const column = (): Float64Array => new Float64Array(this.capacity).fill(NaN);
      col = { ref: column(), since: column(), sinceTs: column(), last: column() };
      this.stuck.set(ruleId, col);
    }
    return col;
  }

  hasStuck(ruleId: string): boolean {
    return this.stuck.has(ruleId);
  }

  /** Forgets a stuck rule's references (the rule was removed or changed). */
  dropStuck(ruleId: string): void {
    this.stuck.delete(ruleId);
  }

  /** The row's stuck references by rule id, `[value, since, sinceTs, last]`; undefined when it has none (for snapshots). */
  stuckOf(row: number): Record<string, [number, number, number, number]> | undefined {
    let out: Record<string, [number, number, number, number]> | undefined;
    for (const [ruleId, col] of this.stuck) {
      const ref = col.ref[row] as number;
      if (Number.isNaN(ref)) continue;
      out ??= {};
      out[ruleId] = [ref, col.since[row] as number, col.sinceTs[row] as number, col.last[row] as number];
    }
    return out;
  }

  stateOf(row: number): Record<string, string | boolean> {
    const out: Record<string, string | boolean> = {};
    for (const [name, col] of this.states) {
      const v = col[row] as number;
      if (v >= 0) out[name] = this.stateValues.get(name)?.values[v] as string | boolean;
    }
    return out;
  }
}
