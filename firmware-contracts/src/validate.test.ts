import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { APPLIANCE_TYPES, applianceCatalog, type ApplianceType } from './catalog/index.js';
import { topics } from './topics.js';
import { MAX_DEPTH, MAX_ERRORS, MAX_PAYLOAD_BYTES, REJECT_REASONS, decodeDownlink, decodeUplink, validateNotice, validateUplink } from './validate.js';

const TELEMETRY = topics.telemetry('hub-1', 'fridge-1');
const T0 = Date.UTC(2026, 10, 24, 12);

const fridge = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  ts: T0,
  seq: 7,
  type: 'refrigerator',
  model: 'RF-500',
  metrics: { fridge_temp_c: 4.2, freezer_temp_c: -18, compressor_duty: 0.4, door_open: false },
  state: { defrost: false, mode: 'normal' },
  ...extra,
});
const bytes = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));

function expectWellFormed(result: ReturnType<typeof decodeUplink>): void {
  if (result.ok) return;
  expect(REJECT_REASONS).toContain(result.reason);
  expect(result.errors.length).toBeGreaterThan(0);
  expect(result.errors.length).toBeLessThanOrEqual(MAX_ERRORS + 1);
  for (const e of result.errors) {
    expect(typeof e.message).toBe('string');
    expect(e.pointer === '' || e.pointer.startsWith('/')).toBe(true);
  }
}

describe('decodeUplink', () => {
  it('accepts a valid telemetry message and keeps unknown extra fields, metrics and states', () => {
    const payload = fridge({ vendor: { build: 'x', nested: [1, 2] }, metrics: { fridge_temp_c: 4, humidity_pct_new: 55 }, state: { ice_maker: 'on' } });
    const result = decodeUplink(TELEMETRY, bytes(payload));
    expect(result).toEqual({ ok: true, message: { kind: 'telemetry', hubId: 'hub-1', applianceId: 'fridge-1', payload } });
  });

  it('accepts the payload as a string as well as bytes', () => {
    expect(decodeUplink(TELEMETRY, JSON.stringify(fridge())).ok).toBe(true);
  });

  it('returns every schema error with its JSON pointer', () => {
    const result = decodeUplink(TELEMETRY, bytes({ seq: 'seven', type: 'toaster', metrics: { fridge_temp_c: 'cold' } }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toBe('schema');
    const pointers = result.errors.map((e) => e.pointer);
    expect(pointers).toEqual(expect.arrayContaining(['/ts', '/seq', '/type', '/metrics/fridge_temp_c']));
  });

  it('escapes pointer tokens per RFC 6901', () => {
    const result = decodeUplink(TELEMETRY, bytes(fridge({ metrics: { 'a/b~c': 1 } })));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.map((e) => e.pointer)).toContain('/metrics/a~1b~0c');
  });

  it('rejects catalog metrics outside their valid range, in the message and in batched samples', () => {
    const payload = fridge({
      metrics: { fridge_temp_c: 4, compressor_duty: 1.5 },
      samples: [
        { ts: T0 - 2000, seq: 5, metrics: { fridge_temp_c: 3.9 } },
        { ts: T0 - 1000, seq: 6, metrics: { freezer_temp_c: -90 } },
      ],
    });
    const result = decodeUplink(TELEMETRY, bytes(payload));
    expect(result).toMatchObject({ ok: false, reason: 'out-of-range' });
    if (!result.ok) expect(result.errors.map((e) => e.pointer)).toEqual(['/metrics/compressor_duty', '/samples/1/metrics/freezer_temp_c']);
  });

  it('refuses the wrong kind of value for a catalog metric or state as a schema error', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ metrics: { fridge_temp_c: true } }, '/metrics/fridge_temp_c'],
      [{ metrics: { door_open: 3 } }, '/metrics/door_open'],
      [{ state: { mode: 'turbo' } }, '/state/mode'],
      [{ state: { defrost: 'yes' } }, '/state/defrost'],
    ];
    for (const [extra, pointer] of cases) {
      const result = decodeUplink(TELEMETRY, bytes(fridge(extra)));
      expect(result, pointer).toMatchObject({ ok: false, reason: 'schema', errors: [{ pointer }] });
    }
    const washer = decodeUplink(topics.telemetry('hub-1', 'w-1'), bytes({ ts: T0, seq: 1, type: 'washer', metrics: { drum_rpm: 800.5 } }));
    expect(washer).toMatchObject({ ok: false, reason: 'schema', errors: [{ pointer: '/metrics/drum_rpm' }] });
  });

  it('accepts boolean metrics sent as 0 or 1', () => {
    expect(decodeUplink(TELEMETRY, bytes(fridge({ metrics: { door_open: 1 } }))).ok).toBe(true);
  });

  it('refuses duplicate item ids in an inventory snapshot', () => {
    const item = { itemId: 'milk-1', name: 'Milk', category: 'dairy', storedAt: T0 };
    const result = decodeUplink(topics.inventory('hub-1', 'fridge-1'), bytes({ ts: T0, seq: 1, type: 'refrigerator', items: [item, item] }));
    expect(result).toMatchObject({ ok: false, reason: 'schema', errors: [{ pointer: '/items/1/itemId' }] });
  });

  it('refuses topics outside the tree and the downlink topic', () => {
    expect(decodeUplink('forecare/v1/hub-1/appliances/+/telemetry', bytes(fridge()))).toMatchObject({ ok: false, reason: 'bad-topic', topic: null });
    expect(decodeUplink(topics.notices('hub-1'), bytes({ ts: T0, kind: 'ticket' }))).toMatchObject({ ok: false, reason: 'downlink-topic' });
  });

  it('caps the error list and says so', () => {
    const items = Array.from({ length: 400 }, (_, i) => ({ itemId: `i-${i}`, name: 1, category: 'rocks', storedAt: -1 }));
    const result = decodeUplink(topics.inventory('hub-1', 'fridge-1'), bytes({ ts: T0, seq: 1, type: 'refrigerator', items }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toHaveLength(MAX_ERRORS + 1);
    expect(result.errors.at(-1)?.message).toMatch(/more errors/);
  });
});

describe('decodeUplink on hostile input never throws', () => {
  it('refuses 10 000 levels of nesting with a pointer to where it got too deep', () => {
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    const result = decodeUplink(TELEMETRY, `{"ts":${T0},"seq":1,"type":"refrigerator","metrics":{},"junk":${deep}}`);
    expect(result).toMatchObject({ ok: false, reason: 'schema' });
    if (!result.ok) expect(result.errors[0]?.pointer).toBe('/junk' + '/0'.repeat(MAX_DEPTH - 1));
    expect(decodeUplink(TELEMETRY, deep)).toMatchObject({ ok: false, reason: 'schema' });
    const deepObject = '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000);
    expect(decodeUplink(TELEMETRY, deepObject)).toMatchObject({ ok: false, reason: 'schema' });
  });

  it('refuses a 10 MB payload by size, and a 10 MB string field by schema', () => {
    const huge = 'x'.repeat(10 * 1024 * 1024);
    expect(decodeUplink(TELEMETRY, JSON.stringify(fridge({ model: huge })))).toMatchObject({ ok: false, reason: 'too-large' });
    expect(decodeUplink(TELEMETRY, bytes(fridge({ model: huge })))).toMatchObject({ ok: false, reason: 'too-large' });
    expect(validateUplink('telemetry', fridge({ model: huge }))).toEqual([expect.objectContaining({ pointer: '/model' })]);
    // just under the limit is still looked at
    expect(decodeUplink(TELEMETRY, JSON.stringify(fridge({ note: 'x'.repeat(MAX_PAYLOAD_BYTES - 400) }))).ok).toBe(true);
  });

  it('keeps __proto__ and constructor keys as plain data and pollutes nothing', () => {
    const text = `{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"ts":${T0},"seq":1,"type":"refrigerator","metrics":{"constructor":1,"fridge_temp_c":4}}`;
    const result = decodeUplink(TELEMETRY, text);
    expect(result.ok).toBe(true);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    if (result.ok) {
      expect(Object.getPrototypeOf(result.message.payload)).toBe(Object.prototype);
      expect(Object.keys(result.message.payload)).toContain('__proto__');
    }
    const protoMetric = decodeUplink(TELEMETRY, `{"ts":${T0},"seq":1,"type":"refrigerator","metrics":{"__proto__":5}}`);
    expect(protoMetric).toMatchObject({ ok: false, reason: 'schema', errors: [{ pointer: '/metrics/__proto__' }] });
    expect(decodeUplink(TELEMETRY, `{"ts":${T0},"seq":1,"type":"__proto__","metrics":{}}`)).toMatchObject({ ok: false, reason: 'schema', errors: [{ pointer: '/type' }] });
  });

  it('refuses NaN and Infinity: not JSON on the wire, schema errors in parsed values', () => {
    expect(decodeUplink(TELEMETRY, `{"ts":NaN,"seq":1,"type":"refrigerator","metrics":{}}`)).toMatchObject({ ok: false, reason: 'not-json' });
    expect(decodeUplink(TELEMETRY, `{"ts":1,"seq":1,"type":"refrigerator","metrics":{"x":Infinity}}`)).toMatchObject({ ok: false, reason: 'not-json' });
    expect(validateUplink('telemetry', fridge({ ts: Number.NaN })).map((e) => e.pointer)).toEqual(['/ts']);
    expect(validateUplink('telemetry', fridge({ metrics: { unknown_x: Number.POSITIVE_INFINITY } })).map((e) => e.pointer)).toContain('/metrics/unknown_x');
    expect(validateUplink('telemetry', fridge({ metrics: { fridge_temp_c: Number.NaN } })).map((e) => e.pointer)).toContain('/metrics/fridge_temp_c');
  });

  it('refuses bytes that are not UTF-8', () => {
    const bad = new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]);
    expect(decodeUplink(TELEMETRY, bad)).toMatchObject({ ok: false, reason: 'not-json' });
    expect(decodeUplink(TELEMETRY, new Uint8Array([0xc3, 0x28]))).toMatchObject({ ok: false, reason: 'not-json' });
  });

  it('refuses cyclic values handed to validateUplink as too deep instead of looping', () => {
    const cyclic: Record<string, unknown> = fridge();
    cyclic['self'] = cyclic;
    // metrics comes before self in key order, so the 33rd level found is a metrics object
    expect(validateUplink('telemetry', cyclic)).toEqual([{ pointer: `${'/self'.repeat(MAX_DEPTH - 1)}/metrics`, message: `nested deeper than ${MAX_DEPTH} levels` }]);
  });

  it('survives values whose property reads throw', () => {
    const trap = new Proxy({}, { get: () => { throw new Error('boom'); }, ownKeys: () => { throw new Error('boom'); } });
    expect(validateUplink('telemetry', trap).length).toBeGreaterThan(0);
    expect(validateNotice(trap).length).toBeGreaterThan(0);
  });

  it('never throws on arbitrary bytes on any topic (property)', () => {
    const anyTopic = fc.oneof(
      fc.constantFrom(TELEMETRY, topics.status('h'), topics.heartbeat('h'), topics.fault('h', 'a'), topics.inventory('h', 'a'), topics.notices('h')),
      fc.string(),
    );
    fc.assert(
      fc.property(anyTopic, fc.uint8Array({ maxLength: 512 }), (topic, payload) => {
        expectWellFormed(decodeUplink(topic, payload));
        expect(decodeDownlink(topic, payload).ok === true || decodeDownlink(topic, payload).ok === false).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on arbitrary JSON on any uplink topic (property)', () => {
    const anyTopic = fc.constantFrom(TELEMETRY, topics.status('h'), topics.heartbeat('h'), topics.fault('h', 'a'), topics.inventory('h', 'a'));
    fc.assert(
      fc.property(anyTopic, fc.jsonValue({ maxDepth: 6 }), (topic, value) => {
        expectWellFormed(decodeUplink(topic, JSON.stringify(value) ?? 'null'));
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on arbitrary JavaScript values, with prototype keys mixed into valid payloads (property)', () => {
    const protoKeys = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty');
    fc.assert(
      fc.property(fc.anything({ withNullPrototype: true, withBigInt: true, withMap: true, withSet: true, withDate: true, withTypedArray: true, withSparseArray: true, withBoxedValues: true }), protoKeys, (junk, key) => {
        for (const kind of ['status', 'heartbeat', 'telemetry', 'fault', 'inventory'] as const) {
          expect(Array.isArray(validateUplink(kind, junk))).toBe(true);
          // The junk as an own property under a prototype-ish key, at the top and inside metrics.
          const payload = fridge();
          const metrics = { ...(payload['metrics'] as object) };
          Object.defineProperty(payload, key, { value: junk, enumerable: true, configurable: true, writable: true });
          Object.defineProperty(metrics, key, { value: junk, enumerable: true, configurable: true, writable: true });
          expect(Array.isArray(validateUplink(kind, payload))).toBe(true);
          expect(Array.isArray(validateUplink(kind, { ...payload, metrics }))).toBe(true);
        }
        expect(Array.isArray(validateNotice(junk))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

/** A telemetry payload drawn from the catalog of its type: metrics inside their valid ranges, states from their value lists. */
function validTelemetry(type: ApplianceType) {
  const spec = applianceCatalog[type];
  const metricArbs = Object.fromEntries(
    spec.metrics.map((m) => [
      m.name,
      m.type === 'boolean' ? fc.boolean() : m.type === 'integer' ? fc.integer({ min: m.valid[0], max: m.valid[1] }) : fc.double({ min: m.valid[0], max: m.valid[1], noNaN: true }),
    ]),
  );
  const stateArbs = Object.fromEntries(spec.states.map((s) => [s.name, s.values === 'boolean' ? fc.boolean() : fc.constantFrom(...s.values)]));
  const sample = fc.record({ ts: fc.integer({ min: 0, max: 4_102_444_800_000 }), seq: fc.nat(), metrics: fc.record(metricArbs, { requiredKeys: [] }) });
  return fc.record(
    {
      ts: fc.integer({ min: 0, max: 4_102_444_800_000 }),
      seq: fc.nat(),
      type: fc.constant(type),
      model: fc.string({ maxLength: 64 }),
      metrics: fc.record(metricArbs, { requiredKeys: [] }),
      state: fc.record(stateArbs, { requiredKeys: [] }),
      samples: fc.array(sample, { maxLength: 5 }),
    },
    { requiredKeys: ['ts', 'seq', 'type', 'metrics'] },
  );
}

describe('catalog-driven messages', () => {
  it('accepts every telemetry message built from the catalog of its type (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...APPLIANCE_TYPES).chain(validTelemetry), (payload) => {
        const result = decodeUplink(TELEMETRY, JSON.stringify(payload));
        expect(result.ok ? [] : result.errors).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });

  it('refuses a catalog metric just outside its valid range for every metric of every type', () => {
    for (const type of APPLIANCE_TYPES) {
      for (const m of applianceCatalog[type].metrics) {
        if (m.type === 'boolean') continue;
        const step = m.type === 'integer' ? 1 : 0.001;
        for (const value of [m.valid[0] - step, m.valid[1] + step]) {
          const result = decodeUplink(TELEMETRY, JSON.stringify({ ts: T0, seq: 1, type, metrics: { [m.name]: value } }));
          expect(result, `${type}.${m.name}=${value}`).toMatchObject({ ok: false, reason: 'out-of-range', errors: [{ pointer: `/metrics/${m.name}` }] });
        }
      }
    }
  });
});

describe('decodeDownlink', () => {
  it('accepts a notice and refuses uplink topics and bad notices', () => {
    const notice = { ts: T0, kind: 'rejected', code: 'GW_REJECT_SCHEMA', topic: TELEMETRY, seq: 7, errors: [{ pointer: '/ts', message: 'Expected integer' }] };
    expect(decodeDownlink(topics.notices('hub-1'), JSON.stringify(notice))).toEqual({ ok: true, message: { kind: 'notices', hubId: 'hub-1', payload: notice } });
    expect(decodeDownlink(TELEMETRY, JSON.stringify(notice))).toMatchObject({ ok: false, reason: 'downlink-topic' });
    expect(decodeDownlink(topics.notices('hub-1'), JSON.stringify({ ts: T0, kind: 'gossip' }))).toMatchObject({ ok: false, reason: 'schema', errors: [{ pointer: '/kind' }] });
  });
});

describe('reject reasons', () => {
  it('are pinned: the gateway turns them into notice codes and metric labels, so none is renamed or reused', () => {
    expect(REJECT_REASONS).toEqual(['bad-topic', 'downlink-topic', 'too-large', 'not-json', 'schema', 'out-of-range']);
  });
});
