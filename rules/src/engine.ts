import { itemExpiresAt, lookupFault, type ApplianceType, type Severity } from '@forecare/firmware-contracts';
import type { AlarmEvent, AlarmState, EngineInput, RaiseTarget } from './api.js';
import { paramDuration, paramNumber, type RuleDef } from './rule-format.js';

interface AlarmRec {
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

interface HubRec {
  lastSeen: number;
  /** Due time of the hub's silence timer; 0 when none is armed. */
  due: number;
}

interface Snapshot {
  v: 1;
  version: number;
  alarms: AlarmRec[];
  hubs: [string, HubRec][];
}

export interface EngineOptions {
  readonly rules: readonly RuleDef[];
  readonly version?: number | undefined;
  readonly overrides?: Readonly<Record<string, Readonly<Record<string, number | string | boolean>>>> | undefined;
}

const DAY_MS = 86_400_000;

/** A min-heap of (due, hubId); stale entries are skipped when popped. */
class TimerHeap {
  private readonly items: [number, string][] = [];

  push(due: number, id: string): void {
    const a = this.items;
    a.push([due, id]);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if ((a[p] as [number, string])[0] <= due) break;
      [a[p], a[i]] = [a[i] as [number, string], a[p] as [number, string]];
      i = p;
    }
  }

  peek(): [number, string] | undefined {
    return this.items[0];
  }

  pop(): [number, string] | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && (a[l] as [number, string])[0] < (a[m] as [number, string])[0]) m = l;
        if (r < a.length && (a[r] as [number, string])[0] < (a[m] as [number, string])[0]) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i] as [number, string], a[m] as [number, string]];
        i = m;
      }
    }
    return top;
  }
}

/**
 * The detection engine. Pure: inputs and time come in, alarm events go out; no clock, no I/O.
 * One alarm per (subject, rule, key): a second message a millisecond later updates it.
 */
export class Engine {
  private rules: RuleDef[];
  private version: number;
  private readonly overrides: EngineOptions['overrides'];
  private readonly alarmsByKey = new Map<string, AlarmRec>();
  private readonly hubs = new Map<string, HubRec>();
  private readonly timers = new TimerHeap();

  constructor(opts: EngineOptions) {
    this.rules = [...opts.rules];
    this.version = opts.version ?? 1;
    this.overrides = opts.overrides;
  }

  private rule(kind: RuleDef['kind']): RuleDef | undefined {
    return this.rules.find((r) => r.kind === kind);
  }

  private param(rule: RuleDef, name: string): number | string | boolean | undefined {
    return this.overrides?.[rule.id]?.[name] ?? rule.params[name];
  }

  ingest(input: EngineInput): AlarmEvent[] {
    const out = this.tick(input.at);
    this.touchHub(input, out);
    switch (input.kind) {
      case 'fault':
        this.onFault(input, out);
        break;
      case 'inventory':
        this.onInventory(input, out);
        break;
      case 'telemetry':
      case 'heartbeat':
      case 'status':
        break;
    }
    return out;
  }

  /** Fires every timer due at or before `now`; each event carries its due time. */
  tick(now: number): AlarmEvent[] {
    const out: AlarmEvent[] = [];
    const rule = this.rule('hub-offline');
    for (let top = this.timers.peek(); top !== undefined && top[0] <= now; top = this.timers.peek()) {
      this.timers.pop();
      const [due, hubId] = top;
      const hub = this.hubs.get(hubId);
      if (hub === undefined || hub.due !== due) continue;
      hub.due = 0;
      if (rule !== undefined) this.raise(rule, { hubId, key: 'hub', at: due, title: `Hub ${hubId} offline`, facts: { silentSinceMs: hub.lastSeen } }, out);
    }
    return out;
  }

  private touchHub(input: EngineInput, out: AlarmEvent[]): void {
    const rule = this.rule('hub-offline');
    const hub = this.hubs.get(input.hubId) ?? { lastSeen: input.at, due: 0 };
    this.hubs.set(input.hubId, hub);
    if (rule === undefined) return;
    const alarmKey = `${input.hubId}|${rule.id}|hub`;
    if (input.kind === 'status' && input.state === 'offline') {
      hub.due = 0;
      this.raise(rule, { hubId: input.hubId, key: 'hub', at: input.at, title: `Hub ${input.hubId} offline (last will)`, facts: { silentSinceMs: hub.lastSeen } }, out);
      return;
    }
    hub.lastSeen = Math.max(hub.lastSeen, input.at);
    this.clear(alarmKey, input.at, out);
    const silentFor = paramDuration(this.param(rule, 'silentFor'), 600_000);
    hub.due = hub.lastSeen + silentFor;
    this.timers.push(hub.due, input.hubId);
  }

  private onFault(input: Extract<EngineInput, { kind: 'fault' }>, out: AlarmEvent[]): void {
    const rule = this.rule('fault-code');
    if (rule === undefined || !applies(rule, input.applianceType)) return;
    const spec = lookupFault(input.applianceType, input.code);
    const alarmKey = `${input.applianceId}|${rule.id}|${input.code}`;
    if (!input.active) {
      this.clear(alarmKey, input.at, out);
      return;
    }
    this.raise(
      rule,
      {
        hubId: input.hubId,
        applianceId: input.applianceId,
        applianceType: input.applianceType,
        key: input.code,
        at: input.at,
        severity: spec?.severity ?? 'warning',
        title: spec !== undefined ? `${input.code}: ${spec.meaning}` : `Unknown fault ${input.code}`,
        fault: { code: input.code, faultClass: spec?.faultClass ?? 'unknown' },
      },
      out,
    );
  }

  private onInventory(input: Extract<EngineInput, { kind: 'inventory' }>, out: AlarmEvent[]): void {
    const rule = this.rule('food-expiry');
    if (rule === undefined || !applies(rule, input.applianceType)) return;
    const within = paramNumber(this.param(rule, 'withinDays'), 2) * DAY_MS;
    const items = input.items
      .map((i) => ({ itemId: i.itemId, name: i.name, expiresAt: itemExpiresAt(i) }))
      .filter((i) => i.expiresAt - input.at <= within)
      .map((i) => ({ ...i, expired: i.expiresAt <= input.at }));
    if (items.length === 0) return;
    const day = new Date(input.at).toISOString().slice(0, 10);
    const alarmKey = `${input.hubId}|${rule.id}|${day}`;
    const existing = this.alarmsByKey.get(alarmKey);
    // One digest per hub per day: only news (an item not yet in today's digest) updates it.
    if (existing !== undefined && existing.status !== 'cleared') {
      const known = new Set((existing.items ?? []).map((i) => i.itemId));
      const fresh = items.filter((i) => !known.has(i.itemId));
      if (fresh.length === 0) return;
      existing.items = [...(existing.items ?? []), ...fresh];
    }
    this.raise(
      rule,
      {
        hubId: input.hubId,
        applianceId: input.applianceId,
        applianceType: input.applianceType,
        key: day,
        at: input.at,
        title: `${items.length} food item${items.length === 1 ? '' : 's'} expiring`,
        items: existing?.items ?? items,
        subject: input.hubId,
      },
      out,
    );
  }

  private raise(
    rule: RuleDef,
    a: {
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
    },
    out: AlarmEvent[],
  ): void {
    const subject = a.subject ?? a.applianceId ?? a.hubId;
    const alarmKey = `${subject}|${rule.id}|${a.key}`;
    const existing = this.alarmsByKey.get(alarmKey);
    if (existing !== undefined && existing.status !== 'cleared') {
      existing.count++;
      existing.lastSeen = Math.max(existing.lastSeen, a.at);
      if (a.items !== undefined) existing.items = a.items;
      out.push(this.event(existing, 'updated', a.at));
      return;
    }
    const rec: AlarmRec = {
      alarmKey,
      ruleId: rule.id,
      hubId: a.hubId,
      applianceId: a.applianceId,
      applianceType: a.applianceType,
      key: a.key,
      status: 'raised',
      severity: a.severity ?? rule.severity ?? 'warning',
      raises: [...rule.raises],
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
  }

  private clear(alarmKey: string, at: number, out: AlarmEvent[]): void {
    const rec = this.alarmsByKey.get(alarmKey);
    if (rec === undefined || rec.status === 'cleared') return;
    rec.status = 'cleared';
    rec.lastSeen = Math.max(rec.lastSeen, at);
    out.push(this.event(rec, 'cleared', at));
    this.alarmsByKey.delete(alarmKey);
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

  acknowledge(alarmKey: string, at: number): AlarmEvent[] {
    const rec = this.alarmsByKey.get(alarmKey);
    if (rec === undefined || rec.status !== 'raised') return [];
    rec.status = 'acknowledged';
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

  snapshot(): string {
    const snap: Snapshot = { v: 1, version: this.version, alarms: [...this.alarmsByKey.values()], hubs: [...this.hubs.entries()] };
    return JSON.stringify(snap);
  }

  static restore(snapshot: string, opts: EngineOptions): Engine {
    const snap = JSON.parse(snapshot) as Snapshot;
    if (snap.v !== 1) throw new Error(`unknown engine snapshot version ${String(snap.v)}`);
    const engine = new Engine(opts);
    for (const a of snap.alarms) engine.alarmsByKey.set(a.alarmKey, a);
    for (const [id, hub] of snap.hubs) {
      engine.hubs.set(id, hub);
      if (hub.due > 0) engine.timers.push(hub.due, id);
    }
    return engine;
  }

  /** A new rule version: alarms of rules that still exist are kept; those of removed rules clear. */
  deploy(rules: readonly RuleDef[], version: number, now: number): AlarmEvent[] {
    this.rules = [...rules];
    this.version = version;
    const ids = new Set(rules.map((r) => r.id));
    const out: AlarmEvent[] = [];
    for (const rec of [...this.alarmsByKey.values()]) if (!ids.has(rec.ruleId)) this.clear(rec.alarmKey, now, out);
    return out;
  }
}

function applies(rule: RuleDef, type: ApplianceType): boolean {
  return rule.appliesTo === undefined || rule.appliesTo.length === 0 || rule.appliesTo.includes(type);
}
