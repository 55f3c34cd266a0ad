import { describe, expect, it } from 'vitest';
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
});
