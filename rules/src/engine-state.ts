/**
 * Everything the engine knows, in one place the rule kinds share: the compiled rules, the
 * alarm book, the hub and appliance tables and their typed-array columns, working state of
 * rules that are not alarms yet, the timing wheels, and what changed since the last
 * checkpoint. The kinds (kinds/*.ts) are functions over it; `Engine` is its public face.
 */
import { APPLIANCE_TYPES, type ApplianceType } from '@forecare/firmware-contracts';
import type { AlarmEvent, EngineInput } from './api.js';
import { AlarmBook } from './alarm-book.js';
import { CompactWheel } from './compact-wheel.js';
import { armEscalation } from './kinds/escalation.js';
import type { ParamValue, RuleDef } from './rule-format.js';
import { RuleIndex, type CompiledRule, type TypeRules } from './rule-index.js';
import { ApplianceTable, applianceKey, findAppliance, HUB_ONLINE, HubTable, TYPE_INDEX, TypeColumns } from './state.js';
import { TimingWheel } from './timing-wheel.js';

/** Per (appliance, rule) working state — keyed `hub/appliance|rule` (`applianceKey`) — of a rule that is not itself an alarm yet. */
export interface RuleWork {
  /** threshold: since when the condition has held (pending raise), or the clear condition (pending clear). */
  pendingSince?: number | undefined;
  clearingSince?: number | undefined;
  /** threshold: device time of the reading that started the pending raise / clear (a late older reading before it is no break). */
  pendingTs?: number | undefined;
  clearingTs?: number | undefined;
  /** threshold confirmed by readings: device time of the newest reading that held, and of the one that ended the period (while a late reading may still fill it). */
  heldTs?: number | undefined;
  brokeTs?: number | undefined;
  /** fault-code: device time of the newest message applied, per code (an older one arriving late neither reopens nor clears). */
  faults?: Record<string, number> | undefined;
  /** repeat: times of occurrences inside the window. */
  occurrences?: number[] | undefined;
  /** repeat counting onsets: the fault codes active on the appliance now. */
  activeCodes?: string[] | undefined;
  /** trend: (server time, value) samples inside the window, sorted by time. */
  samples?: [number, number][] | undefined;
  /** food-expiry, per household (keyed `hub|rule`): its fridges' inventories and what it was told. */
  food?: FoodState | undefined;
}

/** A household's food: the newest inventory of each fridge, the items already told, its digest schedule. */
export interface FoodState {
  /** By appliance id: the inventory applied, with the hub's clock and counter it carried. */
  fridges: Record<string, { ts: number; seq: number; items: { itemId: string; name: string; expiresAt: number }[] }>;
  /** Items already in a digest: item id → its expiry. */
  told: Record<string, number>;
  /** The household's own settings (absent: the rule's `timeZone` and `digestAt`). */
  timeZone?: string | undefined;
  digestAt?: string | undefined;
  /** The alarm key of the digest still open. */
  digest?: string | undefined;
}

export interface EngineOptions {
  readonly rules: readonly RuleDef[];
  /** Remember what changed for incremental checkpoints (`takeChanges`). */
  readonly trackChanges?: boolean | undefined;
  readonly version?: number | undefined;
  readonly overrides?: Readonly<Record<string, Readonly<Record<string, ParamValue>>>> | undefined;
}

/** What changed since the last checkpoint, by hub and appliance index and by key. */
export interface Changed {
  readonly apps: Set<number>;
  readonly hubs: Set<number>;
  readonly alarms: Set<string>;
  readonly work: Set<string>;
  readonly timers: Set<string>;
}

export type TelemetryInput = Extract<EngineInput, { kind: 'telemetry' }>;
export type FaultInput = Extract<EngineInput, { kind: 'fault' }>;
export type InventoryInput = Extract<EngineInput, { kind: 'inventory' }>;
export type ApplianceInput = Extract<EngineInput, { applianceId: string }>;
/** Whom an appliance alarm is about. */
export interface Subject {
  hubId: string;
  applianceId: string;
  applianceType: ApplianceType;
}

export class EngineState {
  index: RuleIndex;
  version: number;
  readonly overrides: EngineOptions['overrides'];
  readonly book: AlarmBook;
  readonly hubs = new HubTable();
  readonly apps = new ApplianceTable();
  readonly columns = APPLIANCE_TYPES.map(() => new TypeColumns());
  readonly work = new Map<string, RuleWork>();
  /** Hub silence timers, by hub index. */
  hubTimers = new CompactWheel();
  /** Appliance-offline and stale timers, one wheel per rule, by appliance index. */
  readonly entityTimers = new Map<string, CompactWheel>();
  /** The rarer timers, by name: threshold durations (`thr|…`, `thc|…`) and escalations (`esc|…`). */
  timers = new TimingWheel(1000, 4096);
  readonly changed: Changed | undefined;
  /** Scratch lists reused by every input (the engine is not re-entrant). */
  readonly out: AlarmEvent[] = [];
  readonly thresholds: CompiledRule[] = [];
  readonly repeats: CompiledRule[] = [];

  constructor(opts: EngineOptions) {
    this.version = opts.version ?? 1;
    this.overrides = opts.overrides;
    this.changed = opts.trackChanges === true ? { apps: new Set(), hubs: new Set(), alarms: new Set(), work: new Set(), timers: new Set() } : undefined;
    this.index = new RuleIndex(opts.rules, opts.overrides);
    this.book = new AlarmBook({
      version: () => this.version,
      raised: (rec, r) => armEscalation(this, rec, r),
      settled: (alarmKey) => this.cancelNamed(`esc|${alarmKey}`),
      changed: (alarmKey) => this.changed?.alarms.add(alarmKey),
    });
  }

  /** The silence or stale timers of one rule. */
  wheelOf(ruleId: string): CompactWheel {
    let w = this.entityTimers.get(ruleId);
    if (w === undefined) {
      w = new CompactWheel(1000, 4096, this.timers.position);
      this.entityTimers.set(ruleId, w);
    }
    return w;
  }

  hubIndex(hubId: string, at: number): number {
    return this.hubs.index.get(hubId) ?? this.hubs.add(hubId, at);
  }

  /** The input's appliance, by (hub, appliance id): two homes' `fridge-1` are two appliances. */
  appliance(input: ApplianceInput): number {
    const hub = this.hubIndex(input.hubId, input.at);
    const known = findAppliance(this.hubs, this.apps, hub, input.applianceId);
    if (known !== undefined) return known;
    return this.addAppliance(input.applianceId, input.hubId, input.applianceType, input.at);
  }

  addAppliance(id: string, hubId: string, type: ApplianceType, at: number): number {
    const hub = this.hubIndex(hubId, at);
    const t = TYPE_INDEX.get(type) ?? 0;
    const app = this.apps.add(applianceKey(hubId, id), id, hub, t, (this.columns[t] as TypeColumns).addRow(), at);
    this.apps.nextInHub[app] = this.hubs.firstApp[hub] as number;
    this.hubs.firstApp[hub] = app;
    return app;
  }

  typeRules(app: number): TypeRules {
    return this.index.types[this.apps.type[app] as number] as TypeRules;
  }

  typeOf(app: number): ApplianceType {
    return APPLIANCE_TYPES[this.apps.type[app] as number] as ApplianceType;
  }

  /** The columns of the appliance's type; its row there is `apps.slot[app]`. */
  columnsOf(app: number): TypeColumns {
    return this.columns[this.apps.type[app] as number] as TypeColumns;
  }

  subjectOf(app: number): Subject {
    return { hubId: this.hubs.ids[this.apps.hub[app] as number] as string, applianceId: this.apps.names[app] as string, applianceType: this.typeOf(app) };
  }

  /** Whether the appliance's hub is gone (alarmed offline, or its last will within the grace period): nobody can say the appliance is quiet. */
  hubOfflineFor(app: number): boolean {
    return this.hubs.offline[this.apps.hub[app] as number] !== HUB_ONLINE;
  }

  setNamed(key: string, at: number): void {
    this.timers.set(key, at);
    this.changed?.timers.add(key);
  }

  cancelNamed(key: string): void {
    if (this.timers.dueOf(key) === undefined) return;
    this.timers.cancel(key);
    this.changed?.timers.add(key);
  }

  setWork(key: string, w: RuleWork): void {
    this.work.set(key, w);
    this.changed?.work.add(key);
  }

  deleteWork(key: string): void {
    if (this.work.delete(key)) this.changed?.work.add(key);
  }
}

export function applies(rule: RuleDef, type: ApplianceType): boolean {
  return rule.appliesTo === undefined || rule.appliesTo.length === 0 || rule.appliesTo.includes(type);
}
