/**
 * A telemetry reading, the hot path: trends take every sample; the newest reading by device
 * time updates the appliance's values and wakes only the value rules that read what it
 * carries (one lookup per metric stores the value and finds them), then stale, stuck,
 * threshold, repeat and composite rules. An older reading arriving late only feeds trends
 * and breaks running durations (`late`).
 */
import type { ApplianceType } from '@forecare/firmware-contracts';
import type { AlarmEvent } from './api.js';
import type { Condition } from './condition.js';
import type { EngineState, TelemetryInput } from './engine-state.js';
import { composites } from './kinds/composite.js';
import { occurrence } from './kinds/repeat.js';
import { staleReading } from './kinds/silence.js';
import { lateStuck, stuckReading } from './kinds/stuck.js';
import { lateThreshold, threshold } from './kinds/threshold.js';
import { trendSample } from './kinds/trend.js';
import type { ParamValue } from './rule-format.js';
import { pick, type CompiledRule } from './rule-index.js';

export function onTelemetry(s: EngineState, input: TelemetryInput, app: number, out: AlarmEvent[]): void {
  const tr = s.typeRules(app);
  // Trends take every sample in time order; the current-value rules only the newest.
  for (const r of tr.trend) {
    const v = input.metrics[r.metric];
    if (typeof v === 'number') trendSample(s, r, app, input, v, out);
  }
  if (input.deviceTs < (s.apps.lastDeviceTs[app] as number)) {
    late(s, input, app, out);
    return;
  }
  s.apps.lastDeviceTs[app] = input.deviceTs;
  const cols = s.columnsOf(app);
  const row = s.apps.slot[app] as number;
  // One lookup per metric stores its value and finds the value rules that read it.
  const index = s.index;
  const epoch = index.nextEpoch();
  const thresholds = s.thresholds;
  const repeats = s.repeats;
  thresholds.length = 0;
  repeats.length = 0;
  for (const name in input.metrics) {
    const slot = cols.setMetric(row, name, input.metrics[name] as number | boolean);
    if (slot.source !== index) index.attach(slot, s.apps.type[app] as number, name);
    if (slot.threshold.length > 0) pick(slot.threshold, epoch, thresholds);
    if (slot.repeat.length > 0) pick(slot.repeat, epoch, repeats);
  }
  if (tr.thresholdOpaque.length > 0) pick(tr.thresholdOpaque, epoch, thresholds);
  if (tr.repeatOpaque.length > 0) pick(tr.repeatOpaque, epoch, repeats);
  if (input.state !== undefined) for (const name in input.state) cols.setState(row, name, input.state[name] as string | boolean, input.at);
  const type = s.typeOf(app);
  const busy = s.book.busyRules(s.apps.ids[app] as string);
  if (tr.stale.length > 0) staleReading(s, tr, app, input, busy, out);
  if (tr.stuck.length > 0) stuckReading(s, tr, app, input, out);
  // Conditions that read only one metric are judged on its value; others get the appliance's whole state.
  let ctx: { metrics: Record<string, number | boolean>; state: Record<string, string | boolean>; stateAge: Record<string, number>; type: ApplianceType; params: Readonly<Record<string, ParamValue>> } | undefined;
  const judge = (cond: Condition | undefined, r: CompiledRule): boolean => {
    if (cond === undefined) return false;
    const d = cond.direct;
    if (d !== undefined) return d.test(input.metrics[d.metric] ?? cols.metric(row, d.metric));
    ctx ??= { metrics: cols.metricsOf(row), state: cols.stateOf(row), stateAge: cols.stateAgeOf(row, input.at), type, params: r.params };
    ctx.params = r.params;
    return cond(ctx);
  };
  for (const r of thresholds) {
    const holds = judge(r.condition, r);
    // The common case: nothing pending, no alarm, condition false — nothing to look up.
    if (!holds && busy?.has(r.def.id) !== true) continue;
    threshold(s, r, app, input.at, holds, r.clear !== undefined ? judge(r.clear, r) : undefined, out);
  }
  for (const r of repeats) {
    if (typeof r.params.code !== 'string' && judge(r.condition, r)) occurrence(s, r, app, input.at, out);
  }
  composites(s, app, input.at, out);
}

/** An older reading than the values applied: it changes no value, but breaks what it contradicts. */
function late(s: EngineState, input: TelemetryInput, app: number, out: AlarmEvent[]): void {
  const tr = s.typeRules(app);
  const busy = s.book.busyRules(s.apps.ids[app] as string);
  if (busy !== undefined && tr.threshold.length > 0) lateThreshold(s, input, app, busy, out);
  if (tr.stuck.length > 0) lateStuck(s, tr, app, input, out);
}
