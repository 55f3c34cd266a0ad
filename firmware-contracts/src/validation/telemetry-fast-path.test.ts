import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { APPLIANCE_TYPES, applianceCatalog } from '../catalog/index.js';
import { checkUplinkPayload } from '../validate.js';
import { telemetryFastValid } from './telemetry-fast-path.js';

const metricNames = [...new Set(APPLIANCE_TYPES.flatMap((t) => applianceCatalog[t].metrics.map((m) => m.name)))];
const stateNames = [...new Set(APPLIANCE_TYPES.flatMap((t) => applianceCatalog[t].states.map((s) => s.name)))];
const stateValues = [...new Set(APPLIANCE_TYPES.flatMap((t) => applianceCatalog[t].states.flatMap((s) => (s.values === 'boolean' ? [] : s.values))))];

// Names and values near the edges of what the schema and the catalog allow.
const name = fc.oneof(fc.constantFrom(...metricNames, ...stateNames), fc.constantFrom('', 'A', 'a-b', '9a', '__proto__', 'constructor', 'a'.repeat(64), 'a'.repeat(65), 'x_1'), fc.string({ maxLength: 8 }));
const value = fc.oneof(
  fc.double(),
  fc.integer({ min: -3000, max: 6000 }),
  fc.constantFrom(0, 1, 0.5, -0.0001, 1.0001, 4000, 4000.5),
  fc.boolean(),
  fc.constantFrom(...stateValues),
  fc.string({ maxLength: 70 }),
  fc.constantFrom(null, 'x'.repeat(65)),
  fc.array(fc.integer(), { maxLength: 2 }),
);
const record = fc.dictionary(name, value, { maxKeys: 8 });
const sample = fc.record({ ts: fc.oneof(fc.nat(), fc.constant(-1)), seq: fc.nat(), metrics: record, state: record }, { requiredKeys: ['ts', 'seq', 'metrics'] });
const telemetry = fc.record(
  {
    ts: fc.oneof(fc.nat(), fc.constant(1.5), fc.constant('2026-01-01T00:00:00Z')),
    seq: fc.nat(),
    type: fc.oneof(fc.constantFrom(...APPLIANCE_TYPES), fc.constant('toaster')),
    model: fc.string({ maxLength: 70 }),
    metrics: record,
    state: record,
    samples: fc.array(sample, { maxLength: 3 }),
    extra: fc.jsonValue({ maxDepth: 3 }),
  },
  { requiredKeys: [] },
);

describe('telemetry fast path', () => {
  it('never accepts what the full schema and catalog check refuses, and agrees on what it accepts (property)', () => {
    fc.assert(
      fc.property(telemetry, (v) => {
        const value = JSON.parse(JSON.stringify(v)) as unknown; // the fast path only ever sees JSON.parse output
        const full = checkUplinkPayload('telemetry', value).ok;
        const fast = telemetryFastValid(value);
        if (fast) expect(full).toBe(true);
        // and it is not a path that merely says "ask the full check" for everything
        if (full) expect(fast).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts a typical telemetry message', () => {
    expect(telemetryFastValid({ ts: 1, seq: 1, type: 'oven', metrics: { cavity_temp_c: 180, door_open: 0 }, state: { mode: 'bake', light: true } })).toBe(true);
  });
});
