/**
 * Threshold with duration and hysteresis: the condition held for `for` raises (by timer,
 * without waiting for another message); the `clear` condition (default: the condition no
 * longer holds) held for `clearFor` clears. Durations are `thr|…` / `thc|…` named timers.
 */
import type { AlarmEvent } from '../api.js';
import type { EngineState, RuleWork, TelemetryInput } from '../engine-state.js';
import { paramDuration } from '../rule-format.js';
import type { CompiledRule } from '../rule-index.js';
import { composites } from './composite.js';

/** Judges one threshold rule on the appliance's newest values (`holds`: the condition, `clears`: the clear condition if it has one). */
export function threshold(s: EngineState, r: CompiledRule, app: number, at: number, holds: boolean, clears: boolean | undefined, out: AlarmEvent[]): void {
  const applianceId = s.apps.ids[app] as string;
  const ruleId = r.def.id;
  s.book.markBusy(applianceId, ruleId);
  const wkey = `${applianceId}|${ruleId}`;
  const w = s.work.get(wkey) ?? {};
  const alarmKey = `${wkey}|${ruleId}`;
  const deviceTs = s.apps.lastDeviceTs[app] as number;
  if (!s.book.byKey.has(alarmKey)) {
    if (!holds) {
      if (w.pendingSince !== undefined) s.cancelNamed(`thr|${wkey}`);
      w.pendingSince = undefined;
      w.pendingTs = undefined;
    } else if (w.pendingSince === undefined) {
      const forMs = paramDuration(r.params.for, 0);
      if (forMs === 0) raiseThreshold(s, r, app, at, out);
      else {
        w.pendingSince = at;
        w.pendingTs = deviceTs;
        s.setNamed(`thr|${wkey}`, at + forMs);
      }
    }
  } else {
    // With hysteresis the alarm ends only on the clear condition, not when the raise condition stops.
    const ending = clears ?? !holds;
    if (!ending) {
      if (w.clearingSince !== undefined) s.cancelNamed(`thc|${wkey}`);
      w.clearingSince = undefined;
      w.clearingTs = undefined;
    } else if (w.clearingSince === undefined) {
      const clearForMs = paramDuration(r.params.clearFor, 0);
      if (clearForMs === 0) s.book.clear(alarmKey, at, out);
      else {
        w.clearingSince = at;
        w.clearingTs = deviceTs;
        s.setNamed(`thc|${wkey}`, at + clearForMs);
      }
    }
  }
  settle(s, applianceId, ruleId, w);
}

/** Keeps a threshold's working state only while a duration runs; the rule stays busy while its alarm is open. */
function settle(s: EngineState, applianceId: string, ruleId: string, w: RuleWork): void {
  const wkey = `${applianceId}|${ruleId}`;
  if (w.pendingSince === undefined && w.clearingSince === undefined) {
    s.deleteWork(wkey);
    if (!s.book.byKey.has(`${wkey}|${ruleId}`)) s.book.unmarkBusy(applianceId, ruleId);
  } else s.setWork(wkey, w);
}

function raiseThreshold(s: EngineState, r: CompiledRule, app: number, at: number, out: AlarmEvent[]): void {
  const facts = s.columnsOf(app).metricsOf(s.apps.slot[app] as number);
  s.book.raise(r, { ...s.subjectOf(app), key: r.def.id, at, title: r.def.description ?? r.def.id, facts }, out);
}

/** A `thr|<appliance>|<rule>` (held for `for`: raise) or `thc|…` (clear held for `clearFor`: clear) timer fired. */
export function onThresholdTimer(s: EngineState, type: 'thr' | 'thc', id: string, ruleId: string, at: number, out: AlarmEvent[]): void {
  const app = s.apps.index.get(id);
  const r = s.index.byId.get(ruleId);
  const w = s.work.get(`${id}|${ruleId}`);
  if (app === undefined || r === undefined || w === undefined) return;
  if (type === 'thr') {
    if (w.pendingSince === undefined) return;
    w.pendingSince = undefined;
    w.pendingTs = undefined;
    raiseThreshold(s, r, app, at, out);
  } else {
    if (w.clearingSince === undefined) return;
    w.clearingSince = undefined;
    w.clearingTs = undefined;
    s.book.clear(`${id}|${ruleId}|${ruleId}`, at, out);
  }
  settle(s, id, ruleId, w);
  composites(s, app, at, out);
}

/**
 * A reading older than the values applied arrived late: a running duration it breaks (the
 * condition did not hold then, or the clear condition did not) starts again from now, as it
 * would have had the reading come in order — unless the reading predates the duration's start.
 */
export function lateThreshold(s: EngineState, input: TelemetryInput, app: number, busy: ReadonlySet<string>): void {
  const cols = s.columnsOf(app);
  const row = s.apps.slot[app] as number;
  const at = input.at;
  for (const r of s.typeRules(app).threshold) {
    const wkey = `${input.applianceId}|${r.def.id}`;
    const w = busy.has(r.def.id) ? s.work.get(wkey) : undefined;
    if (w === undefined || (r.reads !== null && !r.reads.some((m) => input.metrics[m] !== undefined))) continue;
    const ctx = { metrics: { ...cols.metricsOf(row), ...input.metrics }, state: { ...cols.stateOf(row), ...input.state }, type: s.typeOf(app), params: r.params };
    const holds = r.condition?.(ctx) === true;
    if (w.pendingSince !== undefined && !holds && input.deviceTs > (w.pendingTs ?? -Infinity)) {
      w.pendingSince = at;
      w.pendingTs = input.deviceTs;
      s.setNamed(`thr|${wkey}`, at + paramDuration(r.params.for, 0));
    }
    const ending = r.clear !== undefined ? r.clear(ctx) : !holds;
    if (w.clearingSince !== undefined && !ending && input.deviceTs > (w.clearingTs ?? -Infinity)) {
      w.clearingSince = at;
      w.clearingTs = input.deviceTs;
      s.setNamed(`thc|${wkey}`, at + paramDuration(r.params.clearFor, 0));
    }
    s.setWork(wkey, w);
  }
}
