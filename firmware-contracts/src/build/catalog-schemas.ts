import { APPLIANCE_TYPES, applianceCatalog, type ApplianceType, type MetricSpec, type StateSpec } from '../catalog/index.js';
import { MAX_DEPTH, MAX_PAYLOAD_BYTES } from '../validation/limits.js';

/**
 * The appliance catalogs as JSON Schema, for the AsyncAPI document: what the gateway checks in
 * code (validation/catalog-checks.ts) stated so that a generic validator reaches the same
 * verdict. The gateway's own validator keeps its compiled fast path; golden fixtures hold both
 * to the same answers (asyncapi.test.ts).
 */

const pascal = (type: ApplianceType): string => type.split('_').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');

export const metricsSchemaName = (type: ApplianceType): string => `${pascal(type)}Metrics`;
export const statesSchemaName = (type: ApplianceType): string => `${pascal(type)}States`;

function metricSchema(m: MetricSpec): Record<string, unknown> {
  const description = `${m.description}${m.unit === '' ? '' : ` (${m.unit})`}`;
  // Firmware may send a boolean metric as true/false or as 0/1.
  if (m.type === 'boolean') return { description, anyOf: [{ type: 'boolean' }, { enum: [0, 1] }] };
  return { description, type: m.type, minimum: m.valid[0], maximum: m.valid[1] };
}

function stateSchema(s: StateSpec): Record<string, unknown> {
  return s.values === 'boolean' ? { description: s.description, type: 'boolean' } : { description: s.description, type: 'string', enum: [...s.values] };
}

/** One schema per appliance type for its metrics and one for its states; names the catalog does not know stay free. */
export function catalogSchemas(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const type of APPLIANCE_TYPES) {
    const spec = applianceCatalog[type];
    out[metricsSchemaName(type)] = {
      type: 'object',
      description: `Catalog metrics of a ${type}: kind and valid range (a value outside is a sensor fault, refused as out-of-range). Other names are kept unchecked.`,
      properties: Object.fromEntries(spec.metrics.map((m) => [m.name, metricSchema(m)])),
    };
    out[statesSchemaName(type)] = {
      type: 'object',
      description: `Catalog states of a ${type}. Other names are kept unchecked.`,
      properties: Object.fromEntries(spec.states.map((s) => [s.name, stateSchema(s)])),
    };
  }
  return out;
}

/** `allOf` entries for the telemetry payload: by its `type`, the top level and every batched sample follow that type's catalog. */
export function telemetryCatalogRules(): Record<string, unknown>[] {
  return APPLIANCE_TYPES.map((type) => {
    const sample = { metrics: { $ref: `#/components/schemas/${metricsSchemaName(type)}` }, state: { $ref: `#/components/schemas/${statesSchemaName(type)}` } };
    return {
      if: { properties: { type: { const: type } }, required: ['type'] },
      then: { properties: { ...sample, samples: { items: { properties: sample } } } },
    };
  });
}

/** What the gateway refuses beyond any JSON Schema, said where a reader of the schema looks. */
export const BEYOND_SCHEMA = {
  every: `Also refused, beyond what JSON Schema can state: a payload over ${MAX_PAYLOAD_BYTES} bytes or not UTF-8 JSON (NaN and Infinity are not JSON), and objects or arrays nested deeper than ${MAX_DEPTH} levels (the payload itself is level 1).`,
  inventory: 'Each itemId appears once in a snapshot: a second item with the same itemId is refused (JSON Schema `uniqueItems` compares whole items, not one key).',
  direction: 'Only the gateway publishes here; a hub that publishes on this topic is disconnected (the operation is `send`).',
} as const;
