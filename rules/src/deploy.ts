/**
 * Deploying a new rule version over a running engine. Unchanged rules keep their working
 * state, alarms and timers. A changed rule keeps its open alarms (re-judged by its new
 * condition on the next message) but its working state — durations, samples, windows, stuck
 * references — restarts; silence timers follow a changed `silentFor` from the last time
 * heard. Alarms of removed rules clear.
 */
import type { AlarmEvent } from './api.js';
import type { EngineState } from './engine-state.js';
import { rearmChanged } from './kinds/silence.js';
import { markAllChanged } from './persistence.js';
import type { RuleDef } from './rule-format.js';
import { RuleIndex } from './rule-index.js';

export function deployRules(s: EngineState, rules: readonly RuleDef[], version: number, now: number): AlarmEvent[] {
  const before = new Map(s.index.rules.map((r) => [r.def.id, JSON.stringify(r.def)]));
  s.index = new RuleIndex(rules, s.overrides);
  markAllChanged(s);
  s.version = version;
  const out: AlarmEvent[] = [];
  const { byId } = s.index;
  // Rule ids added, changed or removed by this deploy.
  const changed = new Set<string>();
  for (const [id, def] of before) if (byId.get(id) === undefined || JSON.stringify(byId.get(id)?.def) !== def) changed.add(id);
  for (const id of byId.keys()) if (!before.has(id)) changed.add(id);
  for (const rec of [...s.book.byKey.values()]) if (!byId.has(rec.ruleId)) s.book.clear(rec.alarmKey, now, out);
  for (const [k] of [...s.work]) {
    const ruleId = k.split('|')[1] ?? '';
    if (!byId.has(ruleId) || changed.has(ruleId)) s.deleteWork(k);
  }
  // A changed or removed stuck rule starts judging afresh from the next reading.
  for (const id of changed) if (before.has(id)) for (const cols of s.columns) cols.dropStuck(id);
  // Appliance timers belong to their rule: a removed rule, or one that changed kind, takes them along.
  for (const ruleId of [...s.entityTimers.keys()]) {
    const kind = byId.get(ruleId)?.def.kind;
    if (kind !== 'appliance-offline' && kind !== 'stale') s.entityTimers.delete(ruleId);
  }
  rearmChanged(s, changed);
  return out;
}
