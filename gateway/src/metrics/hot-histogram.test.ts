import fc from 'fast-check';
import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { HotHistogram } from './hot-histogram.js';

const BUCKETS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

/** The same observations through prom-client's Histogram and through HotHistogram, scraped. */
async function scrapes(values: readonly number[]): Promise<[string, string]> {
  const theirs = new Registry();
  const ours = new Registry();
  const reference = new Histogram({ name: 'x_seconds', help: 'h', buckets: BUCKETS, registers: [theirs] });
  const hot = new HotHistogram({ name: 'x_seconds', help: 'h', buckets: BUCKETS, registers: [ours] });
  for (const v of values) {
    reference.observe(v);
    hot.observe(v);
  }
  return [await theirs.metrics(), await ours.metrics()];
}

describe('HotHistogram', () => {
  it('scrapes exactly as prom-client’s Histogram for the same observations, bucket edges included', async () => {
    const [theirs, ours] = await scrapes([0, 0.0005, 0.00051, 0.001, 0.3, 1, 2, 7, ...BUCKETS]);
    expect(ours).toBe(theirs);
    expect(ours).toContain('x_seconds_bucket{le="+Inf"} 18');
    await fc.assert(
      fc.asyncProperty(fc.array(fc.double({ min: 0, max: 5, noNaN: true }), { maxLength: 200 }), async (values) => {
        const [a, b] = await scrapes(values);
        expect(b).toBe(a);
      }),
      { numRuns: 50 },
    );
  });

  it('refuses a value that is not a finite number, as prom-client does, and resets with the registry', async () => {
    const registry = new Registry();
    const hot = new HotHistogram({ name: 'y_seconds', help: 'h', buckets: [1], registers: [registry] });
    expect(() => hot.observe(Number.NaN)).toThrow(TypeError);
    hot.observe(0.5);
    expect(await registry.metrics()).toContain('y_seconds_count 1');
    registry.resetMetrics();
    expect(await registry.metrics()).toContain('y_seconds_count 0');
    expect(() => new HotHistogram({ name: 'y_seconds', help: 'again', buckets: [1], registers: [registry] })).toThrow(/already been registered/);
  });
});
