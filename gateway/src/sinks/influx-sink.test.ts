import { describe, expect, it } from 'vitest';
import { applianceCatalog } from '@forecare/firmware-contracts';
import { fieldValue } from './field-types.js';
import { linesOf } from './influx-sink.js';

describe('line protocol', () => {
  it('escapes tags, writes numbers as floats and booleans as booleans, one line per sample', () => {
    const lines = linesOf({
      kind: 'telemetry',
      hubId: 'hub-1',
      applianceId: 'a=1',
      payload: { ts: 2000, seq: 2, type: 'refrigerator', model: 'RF 500,x', metrics: { fridge_temp_c: 4, door_open: true }, samples: [{ ts: 1000, seq: 1, metrics: { fridge_temp_c: 3.5 } }] },
    });
    expect(lines).toEqual([
      'appliance_telemetry,hub_id=hub-1,appliance_id=a\\=1,type=refrigerator,model=RF\\ 500\\,x fridge_temp_c=3.5 1000',
      'appliance_telemetry,hub_id=hub-1,appliance_id=a\\=1,type=refrigerator,model=RF\\ 500\\,x fridge_temp_c=4,door_open=true 2000',
    ]);
  });

  it('gives every field one type, from the catalog, whatever form the hub sent it in', () => {
    const line = (metrics: Record<string, number | boolean>): string | undefined =>
      linesOf({ kind: 'telemetry', hubId: 'h', applianceId: 'f', payload: { ts: 1, seq: 1, type: 'refrigerator', metrics } })[0];
    expect(line({ door_open: 1, freezer_door_open: 0 })).toContain(' door_open=true,freezer_door_open=false ');
    expect(line({ door_open: false })).toContain(' door_open=false ');
    // Uncatalogued metrics are floats, a boolean there included.
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
});
