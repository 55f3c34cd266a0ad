/**
 * Alarm state per (subject, rule, key): raised → acknowledged → cleared, with counts and
 * first/last seen. One alarm per key however fast messages arrive: a second raise updates
 * it. Also remembers which rules may hold state on an appliance (`busy`), so the common
 * message — nothing pending, nothing raised — skips every lookup.
 */
import type { ApplianceType, Severity } from '@forecare/firmware-contracts';
import type { AlarmEvent, AlarmState, RaiseTarget } from './api.js';
import type { CompiledRule } from './rule-index.js';
import { alarmKeyOf, applianceKey } from './state.js';

export interface AlarmRec {
  alarmKey: string;
  ruleId: string;
  hubId: string;
  applianceId?: string | undefined;
  applianceType?: ApplianceType | undefined;
  key: string;
  status: 'raised' | 'acknowledged' | 'cleared';
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

export interface RaiseInput {
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
}

export interface AlarmHooks {
  /** The rule set version stamped on events. */
  version(): number;
  /** A new alarm was raised under this rule (arm its escalation). */
  raised(rec: AlarmRec, rule: CompiledRule): void;
  /** An alarm left the raised state (stop its escalation). */
  settled(alarmKey: string): void;
  /** Anything about the alarm changed (for incremental checkpoints). */
  changed(alarmKey: string): void;
}

export class AlarmBook {
  readonly byKey = new Map<string, AlarmRec>();
  /** appliance key (`hub/appliance`) → rule ids that may hold working state or an open alarm there (a superset). */
  private readonly busy = new Map<string, Set<string>>();
  /** `hub/appliance|rule` → keys of its open alarms: composites ask without scanning every alarm. */
  private readonly open = new Map<string, Set<string>>();

  constructor(private readonly hooks: AlarmHooks) {}

  isBusy(app: string, ruleId: string): boolean {
    return this.busy.get(app)?.has(ruleId) === true;
  }

  busyRules(app: string): ReadonlySet<string> | undefined {
    return this.busy.get(app);
  }

  markBusy(app: string, ruleId: string): void {
    let set = this.busy.get(app);
    if (set === undefined) {
      set = new Set();
      this.busy.set(app, set);
    }
    set.add(ruleId);
  }

  unmarkBusy(app: string, ruleId: string): void {
    const set = this.busy.get(app);
    if (set === undefined) return;
    set.delete(ruleId);
    if (set.size === 0) this.busy.delete(app);
  }

  raise(r: CompiledRule, a: RaiseInput, out: AlarmEvent[]): void {
    const alarmKey = alarmKeyOf(a.hubId, a.applianceId, r.def.id, a.key);
    const existing = this.byKey.get(alarmKey);
    if (existing !== undefined) {
      existing.count++;
      existing.lastSeen = Math.max(existing.lastSeen, a.at);
      if (a.items !== undefined) existing.items = a.items;
      if (a.facts !== undefined) existing.facts = a.facts;
      this.hooks.changed(alarmKey);
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
    this.add(rec);
    this.hooks.changed(alarmKey);
    out.push(this.event(rec, 'raised', a.at));
    this.hooks.raised(rec, r);
  }

  clear(alarmKey: string, at: number, out: AlarmEvent[]): void {
    const rec = this.byKey.get(alarmKey);
    if (rec === undefined) return;
    rec.status = 'cleared';
    rec.lastSeen = Math.max(rec.lastSeen, at);
    this.byKey.delete(alarmKey);
    if (rec.applianceId !== undefined) {
      const k = `${applianceKey(rec.hubId, rec.applianceId)}|${rec.ruleId}`;
      const keys = this.open.get(k);
      keys?.delete(alarmKey);
      if (keys?.size === 0) this.open.delete(k);
    }
    this.hooks.changed(alarmKey);
    this.hooks.settled(alarmKey);
    out.push(this.event(rec, 'cleared', at));
  }

  private add(rec: AlarmRec): void {
    this.byKey.set(rec.alarmKey, rec);
    if (rec.applianceId === undefined) return;
    const app = applianceKey(rec.hubId, rec.applianceId);
    this.markBusy(app, rec.ruleId);
    const k = `${app}|${rec.ruleId}`;
    let keys = this.open.get(k);
    if (keys === undefined) {
      keys = new Set();
      this.open.set(k, keys);
    }
    keys.add(rec.alarmKey);
  }

  /** Whether any alarm of rule `ruleId` is open on the appliance (by key). */
  activeOn(app: string, ruleId: string): boolean {
    return this.isBusy(app, ruleId) && this.open.has(`${app}|${ruleId}`);
  }

  event(rec: AlarmRec, transition: AlarmEvent['transition'], at: number): AlarmEvent {
    return {
      transition,
      alarmKey: rec.alarmKey,
      ruleId: rec.ruleId,
      ruleVersion: this.hooks.version(),
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
    const rec = this.byKey.get(alarmKey);
    if (rec === undefined || rec.status !== 'raised') return [];
    rec.status = 'acknowledged';
    this.hooks.changed(alarmKey);
    this.hooks.settled(alarmKey);
    return [this.event(rec, 'acknowledged', at)];
  }

  states(): AlarmState[] {
    return [...this.byKey.values()].map((r) => ({
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

  restore(recs: readonly AlarmRec[]): void {
    for (const a of recs) this.add(a);
  }
}
