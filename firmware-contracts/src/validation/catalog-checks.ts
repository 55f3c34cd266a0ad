import { APPLIANCE_TYPES, applianceCatalog, type MetricSpec, type StateSpec } from '../catalog/index.js';
import type { InventoryPayload, TelemetryPayload } from '../schemas/payloads.js';
import { escapePointerToken } from './limits.js';

/** A catalog finding: `type` when a known metric or state has the wrong kind of value, `range` when a number is outside its valid range. */
export interface CatalogError {
  readonly kind: 'type' | 'range';
  readonly pointer: string;
  readonly message: string;
}

interface TypeIndex {
  readonly metrics: ReadonlyMap<string, MetricSpec>;
  readonly states: ReadonlyMap<string, StateSpec & { readonly allowed: ReadonlySet<string> | null }>;
}

// Maps, not object lookups: names come off the wire and may be `__proto__` or `constructor`.
const index: ReadonlyMap<string, TypeIndex> = new Map(
  APPLIANCE_TYPES.map((type) => {
    const spec = applianceCatalog[type];
    return [
      type,
      {
        metrics: new Map(spec.metrics.map((m) => [m.name, m])),
        states: new Map(spec.states.map((s) => [s.name, { ...s, allowed: s.values === 'boolean' ? null : new Set(s.values) }])),
      },
    ];
  }),
);

function checkMetrics(types: TypeIndex, metrics: Readonly<Record<string, number | boolean>>, base: string, out: CatalogError[]): void {
  for (const name in metrics) {
    if (!Object.hasOwn(metrics, name)) continue;
    const spec = types.metrics.get(name);
    if (spec === undefined) continue; // unknown metrics are kept, not rejected (additive evolution)
    const value = metrics[name];
    const pointer = `${base}/${escapePointerToken(name)}`;
    if (spec.type === 'boolean') {
      // Firmware may send a boolean metric as true/false or as 0/1.
      if (typeof value !== 'boolean' && value !== 0 && value !== 1) out.push({ kind: 'type', pointer, message: `${name} must be a boolean (or 0/1)` });
      continue;
    }
    if (typeof value !== 'number') {
      out.push({ kind: 'type', pointer, message: `${name} must be a ${spec.type}` });
      continue;
    }
    if (spec.type === 'integer' && !Number.isInteger(value)) {
      out.push({ kind: 'type', pointer, message: `${name} must be an integer` });
      continue;
    }
    if (!(value >= spec.valid[0] && value <= spec.valid[1])) {
      out.push({ kind: 'range', pointer, message: `${name}=${value} outside valid range [${spec.valid[0]}, ${spec.valid[1]}] ${spec.unit}` });
    }
  }
}

function checkStates(types: TypeIndex, states: Readonly<Record<string, string | boolean>>, base: string, out: CatalogError[]): void {
  for (const name in states) {
    if (!Object.hasOwn(states, name)) continue;
    const spec = types.states.get(name);
    if (spec === undefined) continue; // unknown states are kept
    const value = states[name];
    const pointer = `${base}/${escapePointerToken(name)}`;
    if (spec.allowed === null) {
      if (typeof value !== 'boolean') out.push({ kind: 'type', pointer, message: `${name} must be a boolean` });
    } else if (typeof value !== 'string' || !spec.allowed.has(value)) {
      out.push({ kind: 'type', pointer, message: `${name} must be one of ${[...spec.allowed].join(', ')}` });
    }
  }
}

/** Checks a schema-valid telemetry payload against its appliance type's metric and state catalog. */
export function telemetryCatalogErrors(payload: TelemetryPayload): CatalogError[] {
  const out: CatalogError[] = [];
  const types = index.get(payload.type);
  if (types === undefined) return out;
  checkMetrics(types, payload.metrics, '/metrics', out);
  if (payload.state !== undefined) checkStates(types, payload.state, '/state', out);
  const samples = payload.samples;
  if (samples !== undefined) {
    for (let i = 0; i < samples.length; i++) {
      const sample = samples[i];
      if (sample === undefined) continue;
      checkMetrics(types, sample.metrics, `/samples/${i}/metrics`, out);
      if (sample.state !== undefined) checkStates(types, sample.state, `/samples/${i}/state`, out);
    }
  }
  return out;
}

/** An inventory is a snapshot: each item id appears once. */
export function inventoryCatalogErrors(payload: InventoryPayload): CatalogError[] {
  const out: CatalogError[] = [];
  const seen = new Set<string>();
  payload.items.forEach((item, i) => {
    if (seen.has(item.itemId)) out.push({ kind: 'type', pointer: `/items/${i}/itemId`, message: `duplicate itemId ${item.itemId}` });
    seen.add(item.itemId);
  });
  return out;
}
