import type { AlarmEvent, AlarmState, EngineInput } from './api.js';
import { EngineState, type EngineOptions } from './engine-state.js';
import { onEscalationTimer } from './kinds/escalation.js';
import { onFault } from './kinds/fault.js';
import { onDigestTimer, onHousehold, onInventory } from './kinds/food.js';
import { armApplianceTimers, onApplianceTimer, onHubSilent, shiftSilence, shortestSilence, touchHub } from './kinds/silence.js';
import { clearManually, type ManualClear } from './kinds/manual-clear.js';
import { onThresholdTimer } from './kinds/threshold.js';
import { deployRules } from './deploy.js';
import { markAllChanged, restoreInto, snapshotOf, snapshotOfParts, takeChanges, type EngineChanges, type EngineParts, type Snapshot } from './persistence.js';
import type { RuleDef } from './rule-format.js';
import { onTelemetry } from './telemetry.js';

export type { EngineOptions, RuleWork } from './engine-state.js';
export type { ManualClear } from './kinds/manual-clear.js';
export type { AppliancePart, EngineChanges, EngineMeta, EngineParts, HubPart, SnapshotAppliance } from './persistence.js';

interface DueTimer {
  at: number;
  /** Firing order among timers due at the same instant: hubs first, then appliance rules in rule order, then the rest. */
  rank: number;
  id: number;
  key: string;
}

const LAST_RANK = Number.MAX_SAFE_INTEGER;
/**
 * An outage shorter than this, and than a tenth of the shortest silence period, shifts no timer:
 * it moves no alarm by much, and a shift makes the next checkpoint rewrite every hub and appliance.
 */
const RESUME_MIN_OUTAGE_MS = 10_000;
const NO_EVENTS: readonly AlarmEvent[] = Object.freeze([]);

/**
 * The detection engine. Pure: inputs and time come in, alarm events go out — no clock, no
 * I/O, no globals. One alarm per (subject, rule, key): however fast messages arrive, a
 * second one updates the alarm. Timers (offline, stale, threshold durations, escalation)
 * live in timing wheels and fire from `tick` or before the next input. Appliance and hub
 * state is kept in columns (see state.ts) so idle appliances cost little. Each rule kind is
 * a module in kinds/ working on the shared `EngineState`.
 */
export class Engine {
  private readonly s: EngineState;

  constructor(opts: EngineOptions) {
    this.s = new EngineState(opts);
  }

  /** Applies one input; the alarm events it caused (a shared empty list when none: do not modify it). */
  ingest(input: EngineInput): readonly AlarmEvent[] {
    const s = this.s;
    const out = s.out;
    this.fire(input.at, out);
    if (input.kind === 'household') {
      onHousehold(s, input);
      return take(out);
    }
    if (input.kind === 'status' || input.kind === 'heartbeat') {
      touchHub(s, input, out);
      return take(out);
    }
    const app = s.appliance(input);
    if (s.apps.seen(app, input.seq, input.deviceTs)) return take(out); // a redelivery: already applied
    s.changed?.apps.add(app);
    if (input.at > (s.apps.lastSeen[app] as number)) s.apps.lastSeen[app] = input.at;
    armApplianceTimers(s, app, input.at, out, false);
    touchHub(s, input, out);
    switch (input.kind) {
      case 'fault':
        onFault(s, input, app, out);
        break;
      case 'inventory':
        onInventory(s, input, app, out);
        break;
      case 'telemetry':
        onTelemetry(s, input, app, out);
        break;
    }
    return take(out);
  }

  /** Fires every timer due at or before `now`; each event carries its due time. */
  tick(now: number): AlarmEvent[] {
    const out: AlarmEvent[] = [];
    this.fire(now, out);
    return out;
  }

  /**
   * The first tick after the gateway was down: the time between the engine's last tick or
   * input (kept in its checkpoint) and `now` was an outage, not silence. Hub and appliance
   * silence timers move later by it (see `shiftSilence`), then timers due by `now` fire.
   * A short outage (a planned restart: see RESUME_MIN_OUTAGE_MS) shifts nothing.
   */
  resume(now: number): { outageMs: number; events: AlarmEvent[] } {
    const last = this.s.timers.position;
    const least = Math.min(RESUME_MIN_OUTAGE_MS, shortestSilence(this.s) / 10);
    const outageMs = last > 0 && now - last >= least ? now - last : 0;
    if (outageMs > 0) shiftSilence(this.s, outageMs);
    return { outageMs, events: this.tick(now) };
  }

  private fire(now: number, out: AlarmEvent[]): void {
    const s = this.s;
    // A fired timer may arm another that is already due (the next escalation level).
    for (;;) {
      const due: DueTimer[] = [];
      const hubs = s.hubTimers.advance(now);
      for (let i = 0; i < hubs.ids.length; i++) due.push({ at: hubs.ats[i] as number, rank: 0, id: hubs.ids[i] as number, key: '' });
      for (const [ruleId, wheel] of s.entityTimers) {
        const f = wheel.advance(now);
        if (f.ids.length === 0) continue;
        const rank = 1 + (s.index.byId.get(ruleId)?.order ?? LAST_RANK - 2);
        for (let i = 0; i < f.ids.length; i++) due.push({ at: f.ats[i] as number, rank, id: f.ids[i] as number, key: ruleId });
      }
      for (const t of s.timers.advance(now)) due.push({ at: t.at, rank: LAST_RANK, id: 0, key: t.key });
      if (due.length === 0) return;
      due.sort((a, b) => a.at - b.at || a.rank - b.rank || a.id - b.id || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      for (const d of due) {
        if (d.rank === 0) onHubSilent(s, d.id, d.at, out);
        else if (d.rank === LAST_RANK) {
          s.changed?.timers.add(d.key);
          this.onNamedTimer(d.key, d.at, out);
        } else onApplianceTimer(s, d.key, d.id, d.at, out);
      }
    }
  }

  /** A named timer: `thr|<appliance key>|<rule>`, `thc|<appliance key>|<rule>`, `food|<hub>|<rule>` or `esc|<alarm key>`. */
  private onNamedTimer(key: string, at: number, out: AlarmEvent[]): void {
    const [type = '', id = '', ruleId = ''] = key.split('|');
    if (type === 'thr' || type === 'thc') onThresholdTimer(this.s, type, id, ruleId, at, out);
    else if (type === 'food') onDigestTimer(this.s, id, ruleId, at, out);
    else if (type === 'esc') onEscalationTimer(this.s, key, at, out);
  }

  // ── alarm state ───────────────────────────────────────────────────────────

  /** Acknowledging stops escalation; the alarm stays until its condition clears. */
  acknowledge(alarmKey: string, at: number): AlarmEvent[] {
    return this.s.book.acknowledge(alarmKey, at);
  }

  /** A person clears the alarm (see kinds/manual-clear.ts); [] when it is not open (or is another alarm than `firstSeen` names). */
  clearManually(c: ManualClear): AlarmEvent[] {
    return clearManually(this.s, c);
  }

  alarms(): AlarmState[] {
    return this.s.book.states();
  }

  /** How many alarms are open (raised or acknowledged): `alarms().length` without building them. */
  get alarmCount(): number {
    return this.s.book.byKey.size;
  }

  /** How many timers are armed (offline, stale, durations, escalations). */
  get timerCount(): number {
    let n = this.s.hubTimers.size + this.s.timers.size;
    for (const w of this.s.entityTimers.values()) n += w.size;
    return n;
  }

  // ── persistence and deploys ───────────────────────────────────────────────

  snapshot(): string {
    return JSON.stringify(snapshotOf(this.s));
  }

  /** Marks every hub, appliance, alarm and working state as changed (the next `takeChanges` rewrites them all). */
  markAllChanged(): void {
    markAllChanged(this.s);
  }

  /** How many parts (hubs, appliances, alarms, working states, timers) changed since the last `takeChanges`: what the next checkpoint writes. */
  get changeCount(): number {
    const c = this.s.changed;
    return c === undefined ? 0 : c.hubs.size + c.apps.size + c.alarms.size + c.work.size + c.timers.size;
  }

  /** What changed since the last call (needs `trackChanges`), and forgets it. */
  takeChanges(): EngineChanges {
    return takeChanges(this.s);
  }

  /** Rebuilds an engine from a checkpoint stored as parts (see `takeChanges`). */
  static fromParts(parts: EngineParts, opts: EngineOptions): Engine {
    return Engine.fromSnapshot(snapshotOfParts(parts), opts);
  }

  static restore(snapshot: string, opts: EngineOptions): Engine {
    return Engine.fromSnapshot(JSON.parse(snapshot) as Snapshot, opts);
  }

  private static fromSnapshot(snap: Snapshot, opts: EngineOptions): Engine {
    const engine = new Engine(opts);
    restoreInto(engine.s, snap);
    return engine;
  }

  /** Deploys a new rule version (semantics in deploy.ts and the README). */
  deploy(rules: readonly RuleDef[], version: number, now: number): AlarmEvent[] {
    return deployRules(this.s, rules, version, now);
  }
}

/** Most inputs raise nothing: hand back a shared empty list then, and a copy of the events otherwise. */
function take(out: AlarmEvent[]): readonly AlarmEvent[] {
  if (out.length === 0) return NO_EVENTS;
  const events = out.slice();
  out.length = 0;
  return events;
}
