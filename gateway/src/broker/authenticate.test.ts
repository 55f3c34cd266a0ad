import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { VerifiedPasswords, verifyPassword } from '../hubs/credentials.js';
import { HubRegistry } from '../hubs/hub-registry.js';
import { MqttClientRegistry } from '../hubs/mqtt-client-registry.js';
import { Metrics } from '../metrics/metrics.js';
import { openStore } from '../store/db.js';
import { Authenticator, type ConnectAttempt } from './authenticate.js';
import { LoginLimiter } from './login-limiter.js';
import { SqliteHubStore } from '../store/sqlite/hub-store.js';

/** An Authenticator over real registries whose password checks are counted (no timing involved). */
function setup() {
  const store = openStore(join(mkdtempSync(join(tmpdir(), 'forecare-auth-')), 'gw.db'));
  const clock = new ManualClock(Date.UTC(2026, 11, 1));
  const checks: string[] = [];
  const counted = (password: string, encoded: string): Promise<boolean> => {
    checks.push(encoded);
    return verifyPassword(password, encoded);
  };
  const hubs = new HubRegistry(new SqliteHubStore(store), clock, new VerifiedPasswords(100, counted));
  const clients = new MqttClientRegistry(new SqliteHubStore(store), clock, new VerifiedPasswords(100, counted));
  const limiter = new LoginLimiter({ perPair: 2, perSource: 10, perUsername: 6, delayMs: 0 });
  const metrics = new Metrics();
  const auth = new Authenticator(hubs, clients, limiter, metrics, { maxKeepaliveS: 0, maxClientIdLength: 64 }, () => clock.now());
  const attempt = (username: string, password: string): ConnectAttempt => ({ packet: undefined, clientId: username.replace(':', '-'), username, password: Buffer.from(password), source: '10.0.0.1', certificateName: undefined });
  return { hubs, clients, limiter, metrics, auth, checks, attempt, now: () => clock.now() };
}

const returnCode = (p: Promise<unknown>): Promise<unknown> => p.then(() => 0, (e: { returnCode?: number }) => e.returnCode);

describe('password login of an unknown hub or account', () => {
  it('costs one scrypt verification like a known hub with a wrong password, answers CONNACK 4 and counts toward the limits', async () => {
    const { hubs, auth, checks, attempt, limiter, metrics, now } = setup();
    await hubs.provision({ hubId: 'hub-known' });
    expect(await returnCode(auth.authenticate(attempt('hub-known', 'wrong')))).toBe(4);
    expect(checks).toHaveLength(1);
    expect(await returnCode(auth.authenticate(attempt('hub-nobody', 'wrong')))).toBe(4);
    expect(checks).toHaveLength(2);
    expect(checks[1]).toMatch(/^scrypt\$/);
    expect(await returnCode(auth.authenticate(attempt('hub-nobody', 'wrong')))).toBe(4);
    expect(checks[2]).toBe(checks[1]); // one dummy hash, made once
    expect(limiter.begin('hub-nobody', '10.0.0.1', now())).toMatchObject({ kind: 'refuse', limit: 'pair' });
    expect((await metrics.loginFailures.get()).values.find((v) => v.labels.reason === 'bad-credentials')?.value).toBe(3);
  });

  it('does the same for an unknown, revoked or wrong-role service/admin account', async () => {
    const { clients, auth, checks, attempt } = setup();
    await clients.provision({ name: 'crm', role: 'service' });
    await clients.provision({ name: 'gone', role: 'admin' });
    clients.revoke('gone');
    for (const username of ['service:nobody', 'admin:gone', 'admin:crm']) {
      const before = checks.length;
      expect(await returnCode(auth.authenticate(attempt(username, 'wrong')))).toBe(4);
      expect(checks.length, username).toBe(before + 1);
    }
  });
});
