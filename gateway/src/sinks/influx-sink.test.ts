import { describe, expect, it } from 'vitest';
import { applianceCatalog } from '@forecare/firmware-contracts';
import { fieldValue } from './field-types.js';
import { linesOf } from './influx-sink.js';

type Payload = Parameters<typeof linesOf>[0]['payload'];
const linesFor = (payload: Payload, applianceId = 'f'): string[] => linesOf({ kind: 'telemetry', hubId: 'h', applianceId, payload });
const line = (metrics: Record<string, number | boolean>): string | undefined => linesFor({ ts: 1, seq: 1, type: 'refrigerator', metrics })[0];

describe('line protocol (Point from @influxdata/influxdb-client)', () => {
  it('escapes tags, writes numbers as floats and booleans as booleans, one line per sample, in device time', () => {
    const lines = linesOf({
      kind: 'telemetry',
      hubId: 'hub-1',
      applianceId: 'a=1',
      payload: { ts: 2000, seq: 2, type: 'refrigerator', model: 'RF 500,x', metrics: { fridge_temp_c: 4, door_open: true }, samples: [{ ts: 1000, seq: 1, metrics: { fridge_temp_c: 3.5 } }] },
    });
    // Point sorts tags and fields by name and writes booleans as T/F.
    expect(lines).toEqual([
      'appliance_telemetry,appliance_id=a\\=1,hub_id=hub-1,model=RF\\ 500\\,x,type=refrigerator fridge_temp_c=3.5 1000',
      'appliance_telemetry,appliance_id=a\\=1,hub_id=hub-1,model=RF\\ 500\\,x,type=refrigerator door_open=T,fridge_temp_c=4 2000',
    ]);
  });

  it('gives every field one type, from the catalog, whatever form the hub sent it in', () => {
    expect(line({ door_open: 1, freezer_door_open: 0 })).toContain(' door_open=T,freezer_door_open=F ');
    expect(line({ door_open: false })).toContain(' door_open=F ');
    // Uncatalogued metrics are floats, a boolean there included; whole numbers carry no `i`.
    expect(line({ my_flag: true, my_level: 3 })).toContain(' my_flag=1,my_level=3 ');
    expect(fieldValue('drum_rpm', 1200)).toBe(1200);
    expect(fieldValue('base_water', 1)).toBe(true);
  });

  it('has one type per metric name across all appliance types (they share one measurement)', () => {
    const types = new Map<string, Set<string>>();
    for (const spec of Object.values(applianceCatalog)) for (const m of spec.metrics) types.set(m.name, (types.get(m.name) ?? new Set()).add(m.type === 'boolean' ? 'boolean' : 'float'));
    expect([...types].filter(([, t]) => t.size > 1).map(([name]) => name)).toEqual([]);
    for (const [name, t] of types) expect(typeof fieldValue(name, 1)).toBe(t.has('boolean') ? 'boolean' : 'number');
  });

  it('keeps a hostile model from breaking the line: trailing backslashes, newlines, an empty model', () => {
    const model = (m: string): string | undefined => linesFor({ ts: 5, seq: 1, type: 'washer', model: m, metrics: { drum_rpm: 800 } })[0];
    // A trailing backslash would escape the space before the fields and swallow them into the tag.
    expect(model('RF\\\\')).toBe('appliance_telemetry,appliance_id=f,hub_id=h,model=RF,type=washer drum_rpm=800 5');
    expect(model('a\nb')).toBe('appliance_telemetry,appliance_id=f,hub_id=h,model=a\\nb,type=washer drum_rpm=800 5');
    expect(model('')).toBe('appliance_telemetry,appliance_id=f,hub_id=h,type=washer drum_rpm=800 5');
    expect(model('\\')).toBe('appliance_telemetry,appliance_id=f,hub_id=h,type=washer drum_rpm=800 5');
  });

  it('writes no line for a sample with no writable field, and never a client-clock timestamp', () => {
    expect(linesFor({ ts: 7, seq: 1, type: 'refrigerator', metrics: {} })).toEqual([]);
    expect(linesFor({ ts: 7, seq: 1, type: 'refrigerator', metrics: { fridge_temp_c: Number.NaN } })).toEqual([]);
    const withSamples = linesFor({ ts: 9, seq: 3, type: 'refrigerator', metrics: { fridge_temp_c: 4 }, samples: [{ ts: 8, seq: 2, metrics: {} }] });
    expect(withSamples).toEqual(['appliance_telemetry,appliance_id=f,hub_id=h,type=refrigerator fridge_temp_c=4 9']);
  });
});
