import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { APPLIANCE_TYPES, applianceSpec, decodeUplink, type ApplianceType } from '@forecare/firmware-contracts';
import { SimHub } from './hub.js';
import type { SimClock } from './clock.js';

class StepClock implements SimClock {
  constructor(public t: number) {}
  now(): number {
    return this.t;
  }
  realDelay(): number {
    return 1;
  }
}

describe('the simulator only ever emits messages the contract accepts', () => {
  it('for any seed, fleet mix, step sizes and injected faults (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.uniqueArray(fc.constantFrom(...APPLIANCE_TYPES), { minLength: 1, maxLength: APPLIANCE_TYPES.length }),
        fc.array(fc.record({ dt: fc.integer({ min: 1000, max: 6 * 3_600_000 }), fault: fc.option(fc.nat(20), { nil: undefined }), food: fc.boolean() }), { minLength: 1, maxLength: 25 }),
        async (seed, types: ApplianceType[], steps) => {
          const clock = new StepClock(Date.UTC(2026, 0, 1));
          const wire: { topic: string; payload: string }[] = [];
          const hub = new SimHub({
            url: 'mqtt://unused',
            hubId: 'prop-hub',
            password: 'x',
            seed,
            clock,
            appliances: types.map((type, i) => ({ id: `a${i}.${type}`, type })),
            sink: (topic, payload) => wire.push({ topic, payload }),
            // Every imperfection on: skewed clock, redeliveries, reordering, batches, a household.
            network: { skewMs: (seed % 7) * 60_000 - 180_000, duplicateRate: 0.2, reorderRate: 0.2, batch: 1 + (seed % 4) },
            household: true,
          });
          await hub.connect();
          for (const s of steps) {
            clock.t += s.dt;
            await hub.tick();
            const target = types[(s.fault ?? 0) % types.length] ?? 'refrigerator';
            const faults = applianceSpec(target)?.faults ?? [];
            if (s.fault !== undefined && faults.length > 0) await hub.injectFault(target, faults[s.fault % faults.length]?.code ?? 'E-X');
            if (s.food && types.includes('refrigerator')) await hub.stockFood('refrigerator', { expiringInDays: 1 });
          }
          await hub.heartbeat();
          for (const m of wire) {
            const r = decodeUplink(m.topic, m.payload);
            if (!r.ok) throw new Error(`${m.topic}: ${r.reason} ${JSON.stringify(r.errors)}`);
          }
          expect(wire.length).toBeGreaterThan(steps.length);
        },
      ),
      { numRuns: 60 },
    );
  });
});
