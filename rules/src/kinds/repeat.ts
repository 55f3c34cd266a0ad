/**
 * Repeat: N occurrences (faults or telemetry matching the condition) inside the window raise
 * one alarm; more update it. A whole window without one clears it (by timer, while the
 * appliance is quiet; held while its hub is offline, when nobody can say it was quiet).
 */
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
  s.wheelOf(r.def.id).set(app, newest(times) + window);
}

/** A repeat rule's timer for appliance `app`: clears its alarm once a window has passed since the newest occurrence. */
export function repeatQuiet(s: EngineState, r: CompiledRule, app: number, at: number, out: AlarmEvent[]): void {
  const window = paramDuration(r.params.window, 3_600_000);
  if (s.hubOfflineFor(app)) {
    s.wheelOf(r.def.id).set(app, at + window);
    return;
  }
  const key = s.apps.ids[app] as string;
  const wkey = `${key}|${r.def.id}`;
  const last = newest(s.work.get(wkey)?.occurrences ?? []);
  if (last > at - window) {
    // One arrived since this timer was set (or a late one set it early).
    s.wheelOf(r.def.id).set(app, last + window);
    return;
  }
  // The window is over; codes still active stay known (their next report is no new onset).
  const w = s.work.get(wkey);
  if (w?.activeCodes !== undefined) s.setWork(wkey, { activeCodes: w.activeCodes });
  else s.deleteWork(wkey);
  s.book.clear(`${key}|${r.def.id}|${r.def.id}`, at, out);
}

function newest(times: readonly number[]): number {
  let m = -Infinity;
  for (const t of times) if (t > m) m = t;
  return m;
}
