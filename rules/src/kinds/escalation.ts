/**
 * Escalation, a parameter of any rule: an alarm still unacknowledged `escalateAfter` after it
 * was raised goes to the next level (`escalated`), up to `escalateLevels` (default 2).
 * Acknowledging or clearing it stops the timer (the alarm book's `settled` hook).
 */
import type { AlarmEvent } from '../api.js';
import type { AlarmBook, AlarmRec } from '../alarm-book.js';
import { paramDuration, paramNumber } from '../rule-format.js';
import type { CompiledRule, RuleIndex } from '../rule-index.js';

/**
 * What escalation needs of the engine's state. Declared here rather than importing
 * `EngineState`, which arms escalation when an alarm is raised: the two would import each other.
 */
export interface EscalationHost {
  readonly book: AlarmBook;
  readonly index: RuleIndex;
  readonly changed: { readonly alarms: Set<string> } | undefined;
  setNamed(key: string, at: number): void;
}

export function armEscalation(s: EscalationHost, rec: AlarmRec, r: CompiledRule): void {
  const after = paramDuration(r.params.escalateAfter, 0);
  if (after > 0) s.setNamed(`esc|${rec.alarmKey}`, rec.firstSeen + after);
}

/** The `esc|<alarm key>` timer fired. */
export function onEscalationTimer(s: EscalationHost, key: string, at: number, out: AlarmEvent[]): void {
  const rec = s.book.byKey.get(key.slice('esc|'.length));
  const r = rec === undefined ? undefined : s.index.byId.get(rec.ruleId);
  if (rec === undefined || r === undefined || rec.status !== 'raised') return;
  rec.level++;
  s.changed?.alarms.add(rec.alarmKey);
  out.push(s.book.event(rec, 'escalated', at));
  if (rec.level < paramNumber(r.params.escalateLevels, 2)) s.setNamed(key, at + paramDuration(r.params.escalateAfter, 0));
}
