/** Repeat: N occurrences (faults or telemetry matching the condition) inside the window raise one alarm; more update it. */
import type { AlarmEvent } from '../api.js';
import type { AlarmRec } from '../alarm-book.js';
import type { EngineState } from '../engine-state.js';
import { paramDuration, paramNumber } from '../rule-format.js';
import type { CompiledRule } from '../rule-index.js';

export function occurrence(s: EngineState, r: CompiledRule, app: number, at: number, out: AlarmEvent[], fault?: AlarmRec['fault']): void {
  const wkey = `${s.apps.ids[app] as string}|${r.def.id}`;
  const w = s.work.get(wkey) ?? {};
  const window = paramDuration(r.params.window, 3_600_000);
  const times = (w.occurrences ?? []).filter((t) => t > at - window);
  times.push(at);
  w.occurrences = times;
  s.setWork(wkey, w);
  if (times.length >= paramNumber(r.params.count, 3)) {
    s.book.raise(r, { ...s.subjectOf(app), key: r.def.id, at, title: r.def.description ?? `${r.def.id}: ${times.length} times in ${window / 60_000} min`, fault, facts: { occurrences: times.length } }, out);
  }
}
