/**
 * Escalation, a parameter of any rule: an alarm still unacknowledged `escalateAfter` after it
 * was raised goes to the next level (`escalated`), up to `escalateLevels` (default 2).
 * Acknowledging or clearing it stops the timer (the alarm book's `settled` hook).
 */
import type { AlarmEvent } from '../api.js';
import type { AlarmRec } from '../alarm-book.js';
import type { EngineState } from '../engine-state.js';
import { paramDuration, paramNumber } from '../rule-format.js';
import type { CompiledRule } from '../rule-index.js';

export function armEscalation(s: EngineState, rec: AlarmRec, r: CompiledRule): void {
  const after = paramDuration(r.params.escalateAfter, 0);
  if (after > 0) s.setNamed(`esc|${rec.alarmKey}`, rec.firstSeen + after);
}

/** The `esc|<alarm key>` timer fired. */
export function onEscalationTimer(s: EngineState, key: string, at: number, out: AlarmEvent[]): void {
  const rec = s.book.byKey.get(key.slice('esc|'.length));
  const r = rec === undefined ? undefined : s.index.byId.get(rec.ruleId);
  if (rec === undefined || r === undefined || rec.status !== 'raised') return;
  rec.level++;
  s.changed?.alarms.add(rec.alarmKey);
  out.push(s.book.event(rec, 'escalated', at));
  if (rec.level < paramNumber(r.params.escalateLevels, 2)) s.setNamed(key, at + paramDuration(r.params.escalateAfter, 0));
}
