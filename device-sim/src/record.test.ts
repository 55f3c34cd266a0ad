import { describe, expect, it } from 'vitest';
import { decodeUplink, fixtureMismatch, goldenFixtures } from '@forecare/firmware-contracts';
import { recordingLine, simCustomer } from './record.js';

describe('recordings', () => {
  it("a line is the message as the hub sent it: the contract's golden fixtures come back byte for byte and decode as before", () => {
    const uplinks = goldenFixtures().filter((f) => f.direction === 'uplink' && typeof f.payload === 'string');
    expect(uplinks.length).toBeGreaterThan(20);
    for (const f of uplinks) {
      const line = JSON.parse(recordingLine(f.topic, f.payload as string, 1_000)) as { topic: string; payload: string; at: number };
      expect(line).toEqual({ topic: f.topic, payload: f.payload, at: 1_000 });
      expect(fixtureMismatch(f, decodeUplink(line.topic, line.payload)), f.name).toBeNull();
    }
  });

  it('a household customer names its hub, its time zone and its appliances with their models', () => {
    const c = simCustomer('h-7', 7, 'Asia/Shanghai', [{ id: 'fridge-1', type: 'refrigerator' }], { refrigerator: 'RF-700' });
    expect(c).toMatchObject({ customerId: 'cust-h-7', timezone: 'Asia/Shanghai', appliances: [{ hubId: 'h-7', applianceId: 'fridge-1', type: 'refrigerator', model: 'RF-700' }] });
  });
});
