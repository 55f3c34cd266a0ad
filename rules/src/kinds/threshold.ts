/**
 * Threshold with duration and hysteresis: the condition held for `for` raises (by timer,
 * without waiting for another message); the `clear` condition (default: the condition no
 * longer holds) held for `clearFor` clears. Durations are `thr|…` / `thc|…` named timers.
 *
 * With `confirmByReading: true` the raise waits for a reading that still shows the condition
 * `for` after the first one did, by the appliance's own clock, each no more than `readingGap`
 * (default: `for`) after the one before: a state sampled now and then, like a door, is not
 * taken to have held between two readings that happened to catch it. A reading delivered late
 * that fills the gap before the one that ended a period counts too: the period is judged as
 * the readings were taken, not as they arrived.
 */
import type { AlarmEvent } from '../api.js';
import type { EngineState, RuleWork, TelemetryInput } from '../engine-state.js';
import { paramDuration } from '../rule-format.js';
import type { CompiledRule } from '../rule-index.js';
import { composites } from './composite.js';

/** Judges one threshold rule on the appliance's newest values (`holds`: the condition, `clears`: the clear condition if it has one). */
export function threshold(s: EngineState, r: CompiledRule, app: number, at: number, holds: boolean, clears: boolean | undefined, out: AlarmEvent[]): void {
  const key = s.apps.ids[app] as string;
  const ruleId = r.def.id;
  s.book.markBusy(key, ruleId);
  const wkey = `${key}|${ruleId}`;
  const w = s.work.get(wkey) ?? {};
  const alarmKey = `${wkey}|${ruleId}`;
  const deviceTs = s.apps.lastDeviceTs[app] as number;
  if (!s.book.byKey.has(alarmKey)) {
    if (r.params.confirmByReading === true) sampled(s, r, app, w, at, deviceTs, holds, out);
    else if (!holds) {
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
  settle(s, key, ruleId, w);
}

/** Keeps a threshold's working state only while a duration runs; the rule stays busy while its alarm is open. */
function settle(s: EngineState, key: string, ruleId: string, w: RuleWork): void {
  const wkey = `${key}|${ruleId}`;
  if (w.pendingSince === undefined && w.clearingSince === undefined && w.brokeTs === undefined) {
    s.deleteWork(wkey);
    if (!s.book.byKey.has(`${wkey}|${ruleId}`)) s.book.unmarkBusy(key, ruleId);
  } else s.setWork(wkey, w);
}

/** A threshold confirmed by readings, on the newest one (not alarmed yet). */
function sampled(s: EngineState, r: CompiledRule, app: number, w: RuleWork, at: number, deviceTs: number, holds: boolean, out: AlarmEvent[]): void {
  const forMs = paramDuration(r.params.for, 0);
  if (!holds) {
    // The period ends here; kept a while for a late reading from inside it.
    if (w.pendingSince !== undefined) w.brokeTs = deviceTs;
    else if (w.brokeTs !== undefined && deviceTs > w.brokeTs + forMs) forgetPeriod(w);
    w.pendingSince = undefined;
    return;
  }
  // Readings further apart than `readingGap` (by the appliance's clock) do not show it held in between: a new period starts.
  if (w.pendingSince === undefined || deviceTs - (w.heldTs ?? deviceTs) > paramDuration(r.params.readingGap, forMs)) {
    w.pendingSince = at;
    w.pendingTs = deviceTs;
    w.brokeTs = undefined;
  }
  w.heldTs = deviceTs;
  if (deviceTs - (w.pendingTs as number) >= forMs) {
    forgetPeriod(w);
    raiseThreshold(s, r, app, at, out);
  }
}

function forgetPeriod(w: RuleWork): void {
  w.pendingSince = undefined;
  w.pendingTs = undefined;
  w.heldTs = undefined;
  w.brokeTs = undefined;
}

/**
 * A late reading for a threshold confirmed by readings. One that does not hold, from inside a
 * period, shows it was broken there: a running period starts again from its newest holding
 * reading, an ended one is forgotten. One that holds, from the gap before the reading that
 * ended a period (no more than `readingGap` after the newest holding one), extends it.
 */
function lateSampled(s: EngineState, r: CompiledRule, app: number, w: RuleWork, input: TelemetryInput, holds: boolean, out: AlarmEvent[]): void {
  const ts = input.deviceTs;
  if (w.pendingTs === undefined || ts <= w.pendingTs) return;
  if (!holds) {
    if (w.pendingSince !== undefined && ts < (w.heldTs ?? -Infinity)) {
      w.pendingSince = input.at;
      w.pendingTs = w.heldTs;
    } else if (w.brokeTs !== undefined && ts < w.brokeTs) forgetPeriod(w);
    return;
  }
  const forMs = paramDuration(r.params.for, 0);
  if (w.brokeTs === undefined || ts >= w.brokeTs || ts <= (w.heldTs ?? -Infinity) || ts - (w.heldTs ?? ts) > paramDuration(r.params.readingGap, forMs)) return;
  w.heldTs = ts;
  if (ts - w.pendingTs < forMs) return;
  // It held that long: raised now, and ended by the next reading as it is (the period is over).
  forgetPeriod(w);
  raiseThreshold(s, r, app, input.at, out);
}

function raiseThreshold(s: EngineState, r: CompiledRule, app: number, at: number, out: AlarmEvent[]): void {
  const facts = s.columnsOf(app).metricsOf(s.apps.slot[app] as number);
  s.book.raise(r, { ...s.subjectOf(app), key: r.def.id, at, title: r.def.description ?? r.def.id, facts }, out);
}

/** A `thr|<appliance key>|<rule>` (held for `for`: raise) or `thc|…` (clear held for `clearFor`: clear) timer fired. */
export function onThresholdTimer(s: EngineState, type: 'thr' | 'thc', id: string, ruleId: string, at: number, out: AlarmEvent[]): void {
  const app = s.apps.index.get(id);
  const r = s.index.byId.get(ruleId);
  const w = s.work.get(`${id}|${ruleId}`);
  if (app === undefined || r === undefined || w === undefined) return;
  if (type === 'thr') {
    // A rule confirmed by readings raises on one, never on the clock (a timer left from before a deploy).
    if (w.pendingSince === undefined || r.params.confirmByReading === true) return;
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
export function lateThreshold(s: EngineState, input: TelemetryInput, app: number, busy: ReadonlySet<string>, out: AlarmEvent[]): void {
  const cols = s.columnsOf(app);
  const row = s.apps.slot[app] as number;
  const at = input.at;
  for (const r of s.typeRules(app).threshold) {
    const wkey = `${s.apps.ids[app] as string}|${r.def.id}`;
    const w = busy.has(r.def.id) ? s.work.get(wkey) : undefined;
    if (w === undefined || (r.reads !== null && !r.reads.some((m) => input.metrics[m] !== undefined))) continue;
    const ctx = { metrics: { ...cols.metricsOf(row), ...input.metrics }, state: { ...cols.stateOf(row), ...input.state }, stateAge: cols.stateAgeOf(row, input.at), type: s.typeOf(app), params: r.params };
    const holds = r.condition?.(ctx) === true;
    if (r.params.confirmByReading === true && !s.book.byKey.has(`${wkey}|${r.def.id}`)) {
      lateSampled(s, r, app, w, input, holds, out);
      settle(s, s.apps.ids[app] as string, r.def.id, w);
      continue;
    }
    if (w.pendingSince !== undefined && !holds && input.deviceTs > (w.pendingTs ?? -Infinity)) {
      w.pendingSince = at;
      w.pendingTs = input.deviceTs;
      if (r.params.confirmByReading !== true) s.setNamed(`thr|${wkey}`, at + paramDuration(r.params.for, 0));
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
