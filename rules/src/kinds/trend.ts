/**
 * Trend: least-squares slope (units per hour) of a metric over the window; raise above
 * `slopeAbove` (or below `slopeBelow`), with an optional level gate `above` that every sample
 * of the last `aboveFor` (default: just the newest) must pass; clear when the slope is back
 * under half the threshold.
 */
import type { AlarmEvent } from '../api.js';
import type { EngineState, TelemetryInput } from '../engine-state.js';
import { paramDuration, paramNumber } from '../rule-format.js';
import type { CompiledRule } from '../rule-index.js';

const TREND_SAMPLES = 200;

const EMPTY_STATE: Readonly<Record<string, string | boolean>> = {};

/**
 * Takes one sample of the rule's metric (`value`, from `input`). A sample within the
 * spacing of the newest one kept is dropped before anything else, the rule's condition
 * (which picks the samples that count, e.g. not during a defrost) included: dropped either
 * way, so most messages cost one lookup.
 */
export function trendSample(s: EngineState, r: CompiledRule, app: number, input: TelemetryInput, value: number, out: AlarmEvent[]): void {
  const at = input.at;
  const key = s.apps.ids[app] as string;
  const wkey = `${key}|${r.def.id}`;
  const w = s.work.get(wkey) ?? {};
  const window = paramDuration(r.params.window, 3_600_000);
  // At most ~200 samples a window, whatever the message rate: a flooding appliance must not
  // make every message cost a regression over millions of points.
  const spacing = window / TREND_SAMPLES;
  const kept = w.samples ?? [];
  const newest = kept[kept.length - 1];
  if (newest !== undefined && at >= newest[0] && at - newest[0] < spacing) return;
  if (r.condition !== undefined && !r.condition({ metrics: input.metrics, state: input.state ?? EMPTY_STATE, type: s.typeOf(app), params: r.params })) return;
  const samples = kept[0] !== undefined && kept[0][0] <= at - window ? kept.filter(([t]) => t > at - window) : kept;
  let i = samples.length;
  while (i > 0 && (samples[i - 1] as [number, number])[0] > at) i--;
  samples.splice(i, 0, [at, value]);
  w.samples = samples;
  s.setWork(wkey, w);
  const first = samples[0];
  // A slope over W needs (nearly) W of data: half a window right after a start or a gap is too noisy to judge.
  if (samples.length < paramNumber(r.params.minSamples, 5) || first === undefined || at - first[0] < window * 0.9) return;
  const slope = slopePerHour(samples);
  const above = r.params.slopeAbove;
  const below = r.params.slopeBelow;
  // An optional level gate: warming only counts once the value is also past `above` (a defrost's warm step is not).
  const gate = r.params.above;
  const rising = typeof above === 'number' && slope > above && (typeof gate !== 'number' || heldAbove(samples, gate, at - paramDuration(r.params.aboveFor, 0)));
  const falling = typeof below === 'number' && slope < below;
  const alarmKey = `${key}|${r.def.id}|${r.metric}`;
  if (rising || falling) {
    if (!s.book.byKey.has(alarmKey)) {
      s.book.raise(r, { ...s.subjectOf(app), key: r.metric, at, title: r.def.description ?? `${r.metric} trending`, facts: { slopePerHour: round3(slope), metric: r.metric } }, out);
    }
  } else {
    // Hysteresis for trends: clear only when the slope is back under half the threshold.
    const calm = (typeof above === 'number' ? slope < above / 2 : true) && (typeof below === 'number' ? slope > below / 2 : true);
    if (calm) s.book.clear(alarmKey, at, out);
  }
}

/** Every sample since `from` (and the newest, at least) is above `gate`. */
function heldAbove(samples: readonly [number, number][], gate: number, from: number): boolean {
  for (let i = samples.length - 1; i >= 0; i--) {
    const [t, v] = samples[i] as [number, number];
    if (!(v > gate)) return false;
    if (t <= from) return true;
  }
  return true;
}

function slopePerHour(samples: readonly [number, number][]): number {
  const n = samples.length;
  const t0 = (samples[0] as [number, number])[0];
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (const [t, v] of samples) {
    const x = (t - t0) / 3_600_000;
    sx += x;
    sy += v;
    sxx += x * x;
    sxy += x * v;
  }
  const d = n * sxx - sx * sx;
  return d === 0 ? 0 : (n * sxy - sx * sy) / d;
}

const round3 = (v: number): number => Math.round(v * 1000) / 1000;
