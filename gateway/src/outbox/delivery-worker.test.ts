import { describe, expect, it } from 'vitest';
import { backoffDelay, MAX_RETRY_AFTER_MS, retryAfterMs, retryDelay } from './delivery-worker.js';

describe('delivery backoff', () => {
  it('doubles with each attempt, jittered within [d/2, d], capped', () => {
    expect(backoffDelay(0, 1000, 600_000, () => 0)).toBe(500);
    expect(backoffDelay(0, 1000, 600_000, () => 1)).toBe(1000);
    expect(backoffDelay(3, 1000, 600_000, () => 1)).toBe(8000);
    expect(backoffDelay(40, 1000, 600_000, () => 1)).toBe(600_000);
    for (let i = 0; i < 100; i++) {
      const d = backoffDelay(2, 1000, 600_000);
      expect(d).toBeGreaterThanOrEqual(2000);
      expect(d).toBeLessThanOrEqual(4000);
    }
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.UTC(2026, 0, 1, 0, 0, 0);
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs(new Date(now + 30_000).toUTCString(), now)).toBe(30_000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });

  it('waits at least as long as Retry-After asks, beyond the backoff cap, up to a day', () => {
    const options = { baseDelayMs: 1000, maxDelayMs: 600_000 };
    expect(retryDelay(0, undefined, options, () => 1)).toBe(1000);
    expect(retryDelay(0, 120_000, options, () => 1)).toBe(120_000);
    expect(retryDelay(0, 3_600_000, options, () => 1)).toBe(3_600_000);
    expect(retryDelay(5, 1000, options, () => 1)).toBe(32_000);
    expect(retryDelay(0, 30 * 86_400_000, options, () => 1)).toBe(MAX_RETRY_AFTER_MS);
  });
});
