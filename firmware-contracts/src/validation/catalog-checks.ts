import { APPLIANCE_TYPES, applianceCatalog, type MetricSpec } from '../catalog/index.js';
import type { InventoryPayload, TelemetryPayload } from '../schemas/payloads.js';
import { escapePointerToken } from './limits.js';

/** A catalog finding: `type` when a known metric or state has the wrong kind of value, `range` when a number is outside its valid range. */
export interface CatalogError {
  readonly kind: 'type' | 'range';
  readonly pointer: string;
  readonly message: string;
}

export interface TypeTables {
  /** Metric name → spec. */
  readonly metrics: Readonly<Record<string, MetricSpec | undefined>>;
  /** State name → allowed values, or null for a boolean state. */
  readonly states: Readonly<Record<string, ReadonlySet<string> | null | undefined>>;
}

// Null-prototype lookup tables: names come off the wire and may be `__proto__` or
// `constructor`, which must find nothing; and property lookup beats Map.get on the hot path.
function tablesOf(type: (typeof APPLIANCE_TYPES)[number]): TypeTables {
  const spec = applianceCatalog[type];
  const metrics = Object.create(null) as Record<string, MetricSpec>;
  for (const m of spec.metrics) metrics[m.name] = m;
  const states = Object.create(null) as Record<string, ReadonlySet<string> | null>;
  for (const s of spec.states) states[s.name] = s.values === 'boolean' ? null : new Set(s.values);
  return { metrics, states };
}
const tables: ReadonlyMap<string, TypeTables> = new Map(APPLIANCE_TYPES.map((type) => [type, tablesOf(type)]));

/** The lookup tables of an appliance type, undefined for an unknown type. */
export function catalogTables(type: string): TypeTables | undefined {
  return tables.get(type);
}

/** Errors are rare: the list is only allocated for the first one. */
type Found = CatalogError[] | null;
const add = (found: Found, error: CatalogError): CatalogError[] => {
  if (found === null) return [error];
  found.push(error);
  return found;
};

function checkMetrics(t: TypeTables, metrics: Readonly<Record<string, number | boolean>>, base: string, found: Found): Found {
  for (const name in metrics) {
    const spec = t.metrics[name];
    if (spec === undefined) continue; // unknown metrics are kept, not rejected (additive evolution)
    const value = metrics[name];
    if (spec.type === 'boolean') {
      // Firmware may send a boolean metric as true/false or as 0/1.
      if (typeof value !== 'boolean' && value !== 0 && value !== 1) found = add(found, { kind: 'type', pointer: `${base}/${escapePointerToken(name)}`, message: `${name} must be a boolean (or 0/1)` });
    } else if (typeof value !== 'number') {
      found = add(found, { kind: 'type', pointer: `${base}/${escapePointerToken(name)}`, message: `${name} must be a ${spec.type}` });
    } else if (spec.type === 'integer' && !Number.isInteger(value)) {
      found = add(found, { kind: 'type', pointer: `${base}/${escapePointerToken(name)}`, message: `${name} must be an integer` });
    } else if (!(value >= spec.valid[0] && value <= spec.valid[1])) {
      found = add(found, { kind: 'range', pointer: `${base}/${escapePointerToken(name)}`, message: `${name}=${value} outside valid range [${spec.valid[0]}, ${spec.valid[1]}] ${spec.unit}` });
    }
  }
  return found;
}

function checkStates(t: TypeTables, states: Readonly<Record<string, string | boolean>>, base: string, found: Found): Found {
  for (const name in states) {
    const allowed = t.states[name];
    if (allowed === undefined) continue; // unknown states are kept
    const value = states[name];
    if (allowed === null) {
      if (typeof value !== 'boolean') found = add(found, { kind: 'type', pointer: `${base}/${escapePointerToken(name)}`, message: `${name} must be a boolean` });
    } else if (typeof value !== 'string' || !allowed.has(value)) {
      found = add(found, { kind: 'type', pointer: `${base}/${escapePointerToken(name)}`, message: `${name} must be one of ${[...allowed].join(', ')}` });
    }
  }
  return found;
}

/** Checks a schema-valid telemetry payload against its appliance type's metric and state catalog; null when clean. */
export function telemetryCatalogErrors(payload: TelemetryPayload): readonly CatalogError[] | null {
  const t = tables.get(payload.type);
  if (t === undefined) return null;
  let found = checkMetrics(t, payload.metrics, '/metrics', null);
  if (payload.state !== undefined) found = checkStates(t, payload.state, '/state', found);
  const samples = payload.samples;
  if (samples !== undefined) {
    for (let i = 0; i < samples.length; i++) {
      const sample = samples[i];
      if (sample === undefined) continue;
      found = checkMetrics(t, sample.metrics, `/samples/${i}/metrics`, found);
      if (sample.state !== undefined) found = checkStates(t, sample.state, `/samples/${i}/state`, found);
    }
  }
  return found;
}

/** An inventory is a snapshot: each item id appears once. Null when clean. */
export function inventoryCatalogErrors(payload: InventoryPayload): readonly CatalogError[] | null {
  let found: Found = null;
  const seen = new Set<string>();
  payload.items.forEach((item, i) => {
    if (seen.has(item.itemId)) found = add(found, { kind: 'type', pointer: `/items/${i}/itemId`, message: `duplicate itemId ${item.itemId}` });
    seen.add(item.itemId);
  });
  return found;
}
