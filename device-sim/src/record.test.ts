import { describe, expect, it } from 'vitest';
import { decodeUplink, fixtureMismatch, goldenFixtures } from '@forecare/firmware-contracts';
import { toEngineInputs } from './record.js';

describe("the contract's golden fixtures through the simulator's recorder", () => {
  it('valid uplinks become engine inputs, invalid ones are refused with their labelled reason', () => {
    const uplinks = goldenFixtures().filter((f) => f.direction === 'uplink');
    expect(uplinks.length).toBeGreaterThan(20);
    for (const f of uplinks) {
      const r = decodeUplink(f.topic, f.payload);
      expect(fixtureMismatch(f, r), f.name).toBeNull();
      if (r.ok) {
        const inputs = toEngineInputs(r.message, 1_000);
        expect(inputs.length, f.name).toBeGreaterThan(0);
        expect(inputs[0]).toMatchObject({ kind: r.message.kind, hubId: r.message.hubId, at: 1_000 });
      }
    }
  });
});
