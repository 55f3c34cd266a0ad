import { describe, expect, it } from 'vitest';
import { LoginLimiter, loginLimits } from './login-limiter.js';

const T0 = Date.UTC(2026, 11, 1);

describe('failed-login limits that an attacker cannot turn into a lockout', () => {
  it('1,500 guesses at a hub from one address refuse that address, and only slow the hub down elsewhere', () => {
    const limiter = new LoginLimiter(loginLimits(10));
    for (let i = 0; i < 1_500; i++) {
      limiter.begin('hub-1', '10.0.0.66', T0 + i);
    }
    expect(limiter.judge('hub-1', '10.0.0.66', T0 + 2_000)).toMatchObject({ kind: 'refuse', limit: 'pair' });
    // The real hub, from its own address, never seen before: let in after a short delay, never refused.
    expect(limiter.judge('hub-1', '10.0.0.1', T0 + 2_000).kind).toBe('go');
  });

  it('guesses at one username from many addresses slow its unknown pairs, never refuse them; a known pair is not slowed', () => {
    const limiter = new LoginLimiter(loginLimits(10));
    limiter.succeeded('hub-1', '10.0.0.1', T0);
    for (let i = 0; i < 200; i++) limiter.begin('hub-1', `10.1.${i >> 8}.${i & 255}`, T0 + i);
    expect(limiter.judge('hub-1', '10.9.9.9', T0 + 300)).toEqual({ kind: 'slow', delayMs: 1_000 });
    expect(limiter.judge('hub-1', '10.0.0.1', T0 + 300)).toEqual({ kind: 'go', delayMs: 0 });
    expect(limiter.judge('hub-2', '10.9.9.9', T0 + 300).kind).toBe('go');
  });

  it('an address over its limit (broken hubs behind one NAT) still lets in the hubs that logged in from it', () => {
    const limiter = new LoginLimiter(loginLimits(2));
    limiter.succeeded('hub-ok', '192.0.2.1', T0);
    for (let i = 0; i < 10; i++) limiter.begin(`hub-broken-${i}`, '192.0.2.1', T0 + i);
    expect(limiter.judge('hub-new', '192.0.2.1', T0 + 20)).toMatchObject({ kind: 'refuse', limit: 'source' });
    expect(limiter.judge('hub-ok', '192.0.2.1', T0 + 20).kind).toBe('go');
  });

  it('a known pair that guesses wrong is still refused at its own limit', () => {
    const limiter = new LoginLimiter(loginLimits(3));
    limiter.succeeded('hub-1', '10.0.0.1', T0);
    for (let i = 0; i < 3; i++) limiter.begin('hub-1', '10.0.0.1', T0 + i);
    expect(limiter.judge('hub-1', '10.0.0.1', T0 + 10)).toMatchObject({ kind: 'refuse', limit: 'pair' });
  });

  it('refusals end when the window has passed, and say when', () => {
    const limiter = new LoginLimiter(loginLimits(2));
    limiter.begin('u', 'a', T0);
    limiter.begin('u', 'a', T0 + 10_000);
    const v = limiter.judge('u', 'a', T0 + 20_000);
    expect(v).toMatchObject({ kind: 'refuse', retryAfterMs: 40_000 });
    expect(limiter.judge('u', 'a', T0 + 70_001).kind).toBe('go');
  });

  it('a success clears its pair: a hub that mistyped once is not held to old failures', () => {
    const limiter = new LoginLimiter(loginLimits(2));
    limiter.begin('u', 'a', T0);
    limiter.succeeded('u', 'a', T0 + 1);
    limiter.begin('u', 'a', T0 + 2);
    expect(limiter.judge('u', 'a', T0 + 3).kind).toBe('go');
  });

  it('a flood of distinct usernames and addresses keeps memory bounded', () => {
    const limiter = new LoginLimiter(loginLimits(10));
    for (let i = 0; i < 150_000; i++) limiter.begin(`u${i}`, `s${i}`, T0);
    const size = (limiter as unknown as { failures: Map<string, unknown> }).failures.size;
    expect(size).toBeLessThanOrEqual(100_003);
  });
});
