import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '@forecare/gateway';
import { api, startTestGateway, tempDir } from '../support/gateway.js';
import { isProblem, rawRequest } from './raw-http.js';

describe('console sign-in under guessing', () => {
  let gw: RunningGateway;
  let password = '';

  beforeAll(async () => {
    gw = await startTestGateway({ FORECARE_DATA_DIR: tempDir(), FORECARE_LOGIN_FAILURES_PER_MINUTE: '10' });
    const added = await api(gw).call<{ password: string }>('POST', '/api/v1/users', { username: 'dana', role: 'dispatcher' });
    password = added.body.password;
  });
  afterAll(async () => {
    await gw?.stop();
  });

  const signIn = (pw: string, from: string) => rawRequest(gw.httpPort, 'POST', '/api/v1/session', { body: { username: 'dana', password: pw }, localAddress: from });

  it('300 wrong passwords from one address: a handful are checked, the rest are 429 with Retry-After, and the user still signs in from elsewhere', async () => {
    const statuses = new Map<number, number>();
    for (let i = 0; i < 300; i += 20) {
      const batch = await Promise.all(Array.from({ length: 20 }, () => signIn('wrong-password-123', '127.0.0.2')));
      for (const r of batch) {
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        expect(isProblem(r), `${r.status} ${r.text}`).toBe(true);
        if (r.status === 429) expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
      }
    }
    // Only the guesses under the per-(user, address) limit cost a password check.
    expect(statuses.get(401) ?? 0).toBeLessThanOrEqual(10);
    expect(statuses.get(429) ?? 0).toBeGreaterThanOrEqual(270);
    expect((await signIn(password, '127.0.0.1')).status).toBe(201);
    // The guesser is still held back, even with the right password.
    expect((await signIn(password, '127.0.0.2')).status).toBe(429);
  });
});
