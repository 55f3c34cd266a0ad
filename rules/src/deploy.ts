/**
 * Deploying a new rule version over a running engine. Unchanged rules keep their working
 * state, alarms and timers. A changed rule keeps its open alarms (re-judged by its new
 * condition on the next message) and the state of its unchanged conditions: a threshold's
 * running raise duration survives while its `condition` is the same (a new `for` counts from
 * when it began), its clear duration while its clear condition is the same; a repeat keeps
 * its occurrences while what it counts is the same, a trend its samples while it watches the
 * same samples, a stuck rule its reference while metric and tolerance are the same. Whatever
 * depends on a changed condition restarts. Silence timers follow a changed `silentFor` from
 * the last time heard, a changed repeat's quiet timer from the deploy. Alarms
 * of removed rules clear.
 */
import type { AlarmEvent } from './api.js';
import { applies, type EngineState, type RuleWork } from './engine-state.js';
import { rearmChanged } from './kinds/silence.js';
import { markAllChanged } from './persistence.js';
import { paramDuration, type RuleDef } from './rule-format.js';
import { RuleIndex, type CompiledRule } from './rule-index.js';
import { applianceKey } from './state.js';

export function deployRules(s: EngineState, rules: readonly RuleDef[], version: number, now: number): AlarmEvent[] {
  const before = new Map(s.index.rules.map((r) => [r.def.id, { rule: r, text: JSON.stringify(r.def) }]));
  s.index = new RuleIndex(rules, s.overrides);
  markAllChanged(s);
  s.version = version;
  const out: AlarmEvent[] = [];
  const { byId } = s.index;
  // Rule ids added, changed or removed by this deploy.
  const changed = new Set<string>();
  for (const [id, b] of before) if (byId.get(id) === undefined || JSON.stringify(byId.get(id)?.def) !== b.text) changed.add(id);
  for (const id of byId.keys()) if (!before.has(id)) changed.add(id);
  for (const rec of [...s.book.byKey.values()]) if (!byId.has(rec.ruleId)) s.book.clear(rec.alarmKey, now, out);
  for (const [k, w] of [...s.work]) {
    const [subject = '', ruleId = ''] = k.split('|');
    const was = before.get(ruleId)?.rule;
    const is = byId.get(ruleId);
    if (is === undefined || was === undefined) s.deleteWork(k);
    else if (changed.has(ruleId)) migrateWork(s, subject, w, was, is, now);
  }
  for (const id of changed) {
    const was = before.get(id)?.rule;
    const is = byId.get(id);
    if (was !== undefined && (is === undefined || !same(was, is, 'kind', 'metric', 'tolerance'))) for (const cols of s.columns) cols.dropStuck(id);
  }
  // Appliance timers belong to their rule: a removed rule, or one that changed kind, takes them along.
  for (const ruleId of [...s.entityTimers.keys()]) {
    const kind = byId.get(ruleId)?.def.kind;
    const was = before.get(ruleId)?.rule.def.kind;
    if ((kind !== 'appliance-offline' && kind !== 'stale' && kind !== 'repeat') || kind !== was) s.entityTimers.delete(ruleId);
  }
  rearmChanged(s, changed);
  rearmRepeats(s, changed, now);
  return out;
}

/** A changed repeat rule's open alarms clear once a whole window (by its new params) has passed, counted from the deploy at the earliest. */
function rearmRepeats(s: EngineState, changed: ReadonlySet<string>, now: number): void {
  for (const rec of s.book.byKey.values()) {
    const r = s.index.byId.get(rec.ruleId);
    if (r?.def.kind !== 'repeat' || !changed.has(rec.ruleId) || rec.applianceId === undefined) continue;
    const key = applianceKey(rec.hubId, rec.applianceId);
    const app = s.apps.index.get(key);
    if (app === undefined) continue;
    const kept = s.work.get(`${key}|${rec.ruleId}`)?.occurrences ?? [];
    s.wheelOf(rec.ruleId).set(app, Math.max(now, ...kept) + paramDuration(r.params.window, 3_600_000));
  }
}

type Part = 'kind' | 'condition' | 'clear' | 'metric' | 'tolerance' | 'code';

/** Whether the parts of a rule some working state depends on are the same in both versions. */
function same(a: CompiledRule, b: CompiledRule, ...parts: Part[]): boolean {
  const part = (r: CompiledRule, p: Part): unknown => (p === 'kind' || p === 'condition' || p === 'clear' ? r.def[p] : r.params[p]);
  return parts.every((p) => part(a, p) === part(b, p));
}

/** The working state a changed rule keeps: what depends only on its unchanged conditions. */
function migrateWork(s: EngineState, subject: string, w: RuleWork, was: CompiledRule, is: CompiledRule, now: number): void {
  const wkey = `${subject}|${is.def.id}`;
  // An appliance key, or a hub's (a household's food state).
  const app = s.apps.index.get(subject);
  if (!same(was, is, 'kind') || (app !== undefined && !applies(is.def, s.typeOf(app)))) {
    dropThreshold(s, wkey, w, true, true);
    s.deleteWork(wkey);
    return;
  }
  const kind = is.def.kind;
  if (kind === 'threshold') {
    // The clear side is judged by `clear`, or by the condition no longer holding when there is none.
    const keepPending = same(was, is, 'condition');
    const keepClearing = same(was, is, 'clear') && (is.def.clear !== undefined || keepPending);
    dropThreshold(s, wkey, w, !keepPending, !keepClearing);
    // A new duration counts from when the condition began to hold (not before the deploy itself).
    if (w.pendingSince !== undefined && is.params.confirmByReading !== true) s.setNamed(`thr|${wkey}`, Math.max(now, w.pendingSince + paramDuration(is.params.for, 0)));
    if (w.clearingSince !== undefined) s.setNamed(`thc|${wkey}`, Math.max(now, w.clearingSince + paramDuration(is.params.clearFor, 0)));
  } else if (kind === 'repeat' && !same(was, is, 'condition', 'code')) w.occurrences = undefined;
  else if (kind === 'trend' && !same(was, is, 'condition', 'metric')) w.samples = undefined;
  if (Object.values(w).every((v) => v === undefined)) s.deleteWork(wkey);
  else s.setWork(wkey, w);
}

function dropThreshold(s: EngineState, wkey: string, w: RuleWork, pending: boolean, clearing: boolean): void {
  if (pending && w.pendingSince !== undefined) {
    s.cancelNamed(`thr|${wkey}`);
    w.pendingSince = undefined;
    w.pendingTs = undefined;
  }
  if (clearing && w.clearingSince !== undefined) {
    s.cancelNamed(`thc|${wkey}`);
    w.clearingSince = undefined;
    w.clearingTs = undefined;
  }
}
