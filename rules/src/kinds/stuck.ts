/**
 * Stuck: the metric keeps arriving but has not moved by more than `tolerance` from the value
 * it last changed to for `unchangedFor` of time while readings arrive. Judged on the reading
 * that shows it (a sensor that stops reporting is stale's alarm, not this one), raised once; a
 * move clears it and starts a new period. A silence between two readings longer than
 * `readingGap` (default 15 min: hub offline, appliance unplugged) counts only up to it — a
 * sensor that resumes after an outage with the value it had is not stuck for the outage. The
 * reference lives in the type's columns (`TypeColumns.stuckColumn`).
 */
import type { AlarmEvent } from '../api.js';
import type { EngineState, TelemetryInput } from '../engine-state.js';
import { paramDuration, paramNumber } from '../rule-format.js';
import type { CompiledRule, TypeRules } from '../rule-index.js';

/** The alarm a stuck rule raises for an appliance. */
const alarmKeyOf = (app: string, r: CompiledRule): string => `${app}|${r.def.id}|${r.metric}`;

const READING_GAP = 15 * 60_000;

/** The newest reading: judge every stuck rule whose metric it carries. */
export function stuckReading(s: EngineState, tr: TypeRules, app: number, input: TelemetryInput, out: AlarmEvent[]): void {
  const cols = s.columnsOf(app);
  const row = s.apps.slot[app] as number;
  const at = input.at;
  for (const r of tr.stuck) {
    const value = input.metrics[r.metric];
    if (typeof value !== 'number') continue;
    const col = cols.stuckColumn(r.def.id);
    const ref = col.ref[row] as number;
    const last = col.last[row] as number;
    if (!(at <= last)) col.last[row] = at;
    if (Number.isNaN(ref) || Math.abs(value - ref) > paramNumber(r.params.tolerance, 0)) {
      col.ref[row] = value;
      col.since[row] = at;
      col.sinceTs[row] = input.deviceTs;
      if (!Number.isNaN(ref) && s.book.isBusy(s.apps.ids[app] as string, r.def.id)) s.book.clear(alarmKeyOf(s.apps.ids[app] as string, r), at, out);
      continue;
    }
    // The silence beyond the gap is no stuck time: the period starts that much later.
    const silence = at - last - paramDuration(r.params.readingGap, READING_GAP);
    if (silence > 0) col.since[row] = (col.since[row] as number) + silence;
    const since = col.since[row] as number;
    // The alarm key only once the period is over: building it per reading costs a string each.
    if (at - since < paramDuration(r.params.unchangedFor, 3_600_000) || s.book.byKey.has(alarmKeyOf(s.apps.ids[app] as string, r))) continue;
    s.book.raise(r, { ...s.subjectOf(app), key: r.metric, at, title: r.def.description ?? `${r.metric} stuck at ${ref}`, facts: { metric: r.metric, value: ref, unchangedSinceMs: since } }, out);
  }
}

/** A late older reading that moved beyond the tolerance after the period began: the value was not stuck, start again from now. */
export function lateStuck(s: EngineState, tr: TypeRules, app: number, input: TelemetryInput, out: AlarmEvent[]): void {
  const cols = s.columnsOf(app);
  const row = s.apps.slot[app] as number;
  for (const r of tr.stuck) {
    const v = input.metrics[r.metric];
    if (typeof v !== 'number' || !cols.hasStuck(r.def.id)) continue;
    const col = cols.stuckColumn(r.def.id);
    const ref = col.ref[row] as number;
    if (Number.isNaN(ref) || Math.abs(v - ref) <= paramNumber(r.params.tolerance, 0) || input.deviceTs <= (col.sinceTs[row] as number)) continue;
    col.since[row] = input.at;
    col.sinceTs[row] = input.deviceTs;
    if (s.book.isBusy(s.apps.ids[app] as string, r.def.id)) s.book.clear(alarmKeyOf(s.apps.ids[app] as string, r), input.at, out);
  }
}
