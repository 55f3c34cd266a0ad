/** Composite: all (or any) of `of` alarmed on the appliance, and none of `unless` (not). */
import type { AlarmEvent } from '../api.js';
import type { EngineState } from '../engine-state.js';

/** Judges the appliance's composite rules; called after each of its messages and after each timer-driven change. */
export function composites(s: EngineState, app: number, at: number, out: AlarmEvent[]): void {
  const rules = s.typeRules(app).composite;
  if (rules.length === 0) return;
  const key = s.apps.ids[app] as string;
  const active = (id: string): boolean => s.book.activeOn(key, id);
  for (const r of rules) {
    const of = r.def.of ?? [];
    const holds = (r.params.op === 'any' ? of.some(active) : of.every(active)) && !(r.def.unless ?? []).some(active);
    const alarmKey = `${key}|${r.def.id}|${r.def.id}`;
    if (holds && !s.book.byKey.has(alarmKey)) s.book.raise(r, { ...s.subjectOf(app), key: r.def.id, at, title: r.def.description ?? r.def.id, facts: { of: of.join(',') } }, out);
    else if (!holds) s.book.clear(alarmKey, at, out);
  }
}
