/**
 * The accept-path for telemetry, the one message kind that arrives by the thousand per second.
 *
 * The full check (compiled schema with its pattern-keyed metric and state records, then the
 * catalog pass) walks every metric and state key twice and allocates arrays per record. Here a
 * compiled envelope schema (the telemetry schema with the records loosened to "object") is
 * followed by one hand-written pass that checks the record keys and values exactly as the
 * schema does and the catalog kinds and ranges at the same time. It only ever answers "valid";
 * anything else goes to the full check, which produces the errors. A property test holds the
 * two to the same verdict.
 */
import { Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { MAX_METRICS, MAX_SAMPLES, MAX_STATE_VALUE_LENGTH, MAX_STATES, TelemetryPayload, TelemetrySample } from '../schemas/payloads.js';
import { catalogTables, type TypeTables } from './catalog-checks.js';

const AnyObject = Type.Object({});
const envelope = TypeCompiler.Compile(
  Type.Object({
    ...TelemetryPayload.properties,
    metrics: AnyObject,
    state: Type.Optional(AnyObject),
    samples: Type.Optional(Type.Array(Type.Object({ ...TelemetrySample.properties, metrics: AnyObject, state: Type.Optional(AnyObject) }), { maxItems: MAX_SAMPLES })),
  }),
);

/** Same language as NAME_PATTERN_SOURCE, `^[a-z][a-z0-9_]{0,63}$`, without a regex per key. */
function isName(key: string): boolean {
  const n = key.length;
  if (n === 0 || n > 64) return false;
  const first = key.charCodeAt(0);
  if (first < 97 || first > 122) return false;
  for (let i = 1; i < n; i++) {
    const c = key.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95)) return false;
  }
  return true;
}

function metricsValid(t: TypeTables, metrics: Record<string, unknown>): boolean {
  let count = 0;
  for (const name in metrics) {
    if (++count > MAX_METRICS || !isName(name)) return false;
    const value = metrics[name];
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) return false;
    } else if (typeof value !== 'boolean') return false;
    const spec = t.metrics[name];
    if (spec === undefined) continue;
    if (spec.type === 'boolean') {
      if (typeof value !== 'boolean' && value !== 0 && value !== 1) return false;
    } else if (typeof value !== 'number' || (spec.type === 'integer' && !Number.isInteger(value)) || value < spec.valid[0] || value > spec.valid[1]) return false;
  }
  return true;
}

function statesValid(t: TypeTables, states: Record<string, unknown>): boolean {
  let count = 0;
  for (const name in states) {
    if (++count > MAX_STATES || !isName(name)) return false;
    const value = states[name];
    if (typeof value === 'string') {
      if (value.length > MAX_STATE_VALUE_LENGTH) return false;
    } else if (typeof value !== 'boolean') return false;
    const allowed = t.states[name];
    if (allowed === undefined) continue;
    if (allowed === null ? typeof value !== 'boolean' : typeof value !== 'string' || !allowed.has(value)) return false;
  }
  return true;
}

interface LooseSample {
  readonly metrics: Record<string, unknown>;
  readonly state?: Record<string, unknown>;
}

/**
 * True only when `value` (a JSON.parse result) passes the telemetry schema and catalog; false
 * means "run the full check", not necessarily invalid. Depth is checked by the caller.
 */
export function telemetryFastValid(value: unknown): boolean {
  if (!envelope.Check(value)) return false;
  const v = value as LooseSample & { readonly type: string; readonly samples?: readonly LooseSample[] };
  const t = catalogTables(v.type);
  if (t === undefined) return false;
  if (!metricsValid(t, v.metrics) || (v.state !== undefined && !statesValid(t, v.state))) return false;
  const samples = v.samples;
  if (samples !== undefined) {
    for (const s of samples) if (!metricsValid(t, s.metrics) || (s.state !== undefined && !statesValid(t, s.state))) return false;
  }
  return true;
}
