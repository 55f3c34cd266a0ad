import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { createLogger } from '../log.js';
import { openStore, type Store } from '../store/db.js';
import { VerifiedPasswords, verifyPassword } from './credentials.js';
import { HubRegistry } from './hub-registry.js';
import { SqliteHubStore } from '../store/sqlite/hub-store.js';
import { keptVerifyKey, VerifiedPasswordsFile } from './verified-file.js';

/**
 * One gateway "run" over a data directory: a hub registry whose scrypt checks are counted, with
 * its verified-password memory kept in the directory as the controller keeps it.
 */
function run(dir: string, store: Store, options: { key?: Buffer; capacity?: number } = {}) {
  const lines: string[] = [];
  const logger = createLogger({ level: 'info', destination: { write: (l: string) => lines.push(l) } });
  const scrypts: string[] = [];
  const counted = (password: string, encoded: string): Promise<boolean> => {
    scrypts.push(encoded);
    return verifyPassword(password, encoded);
  };
  const passwords = new VerifiedPasswords(options.capacity ?? 100, counted, options.key ?? keptVerifyKey(join(dir, 'verify-key'), logger));
  const hubs = new HubRegistry(new SqliteHubStore(store), new ManualClock(Date.UTC(2026, 11, 5)), passwords);
  const file = new VerifiedPasswordsFile(join(dir, 'verified-hub-passwords'), passwords, logger, 50);
  return { hubs, file, scrypts, lines, passwords };
}

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'forecare-verified-'));
  const store = openStore(join(dir, 'forecare.db'));
  return { dir, store };
}

describe('verified hub passwords kept across a restart', () => {
  it('a hub verified before the restart is let in after it without a scrypt check; the files are private', async () => {
    const { dir, store } = setup();
    const first = run(dir, store);
    await first.file.start();
    const a = await first.hubs.provision({ hubId: 'hub-a' });
    const b = await first.hubs.provision({ hubId: 'hub-b' });
    expect(await first.hubs.verify('hub-a', a.password)).toBe(true);
    expect(await first.hubs.verify('hub-b', b.password)).toBe(true);
    expect(first.scrypts).toHaveLength(2);
    await first.file.stop();

    const second = run(dir, store);
    await second.file.start();
    expect(second.passwords.size).toBe(2);
    expect(await second.hubs.verify('hub-a', a.password)).toBe(true);
    expect(await second.hubs.verify('hub-b', b.password)).toBe(true);
    expect(second.scrypts, 'no scrypt after the restart').toHaveLength(0);
    expect(second.lines.some((l) => l.includes('kept from the last run') && l.includes('"entries":2'))).toBe(true);
    // A wrong password for a remembered hub still costs (and fails) a real check.
    expect(await second.hubs.verify('hub-a', b.password)).toBe(false);
    expect(second.scrypts).toHaveLength(1);
    for (const f of ['verify-key', 'verified-hub-passwords']) expect(statSync(join(dir, f)).mode & 0o777, f).toBe(0o600);
    await second.file.stop();
  });

  it('a credential rotated or revoked (in the run before or while down) is refused after the restart, its entry notwithstanding', async () => {
    const { dir, store } = setup();
    const first = run(dir, store);
    await first.file.start();
    const a = await first.hubs.provision({ hubId: 'hub-a' });
    const b = await first.hubs.provision({ hubId: 'hub-b' });
    expect(await first.hubs.verify('hub-a', a.password)).toBe(true);
    expect(await first.hubs.verify('hub-b', b.password)).toBe(true);
    await first.file.stop();
    // While the gateway is down, an operator's CLI rotates one hub and revokes the other.
    const offline = run(dir, store);
    const rotated = await offline.hubs.rotate('hub-a');
    offline.hubs.revoke('hub-b');

    const second = run(dir, store);
    await second.file.start();
    expect(second.passwords.size).toBe(2);
    expect(await second.hubs.verify('hub-a', a.password), 'the old password of a rotated hub').toBe(false);
    expect(await second.hubs.verify('hub-b', b.password), 'a revoked hub').toBe(false);
    expect(await second.hubs.verify('hub-a', rotated.password)).toBe(true);
    await second.file.stop();
  });

  it('a torn, truncated, altered or foreign file is ignored whole (logged, removed) and every hub is checked with scrypt again', async () => {
    const { dir, store } = setup();
    const first = run(dir, store);
    await first.file.start();
    const creds = await Promise.all(['hub-a', 'hub-b', 'hub-c'].map((hubId) => first.hubs.provision({ hubId })));
    for (const c of creds) expect(await first.hubs.verify(c.hubId, c.password)).toBe(true);
    await first.file.stop();
    const file = join(dir, 'verified-hub-passwords');
    const good = readFileSync(file);
    const flipped = Buffer.from(good);
    flipped[20] = (flipped[20] ?? 0) ^ 1;
    const inflated = Buffer.from(good);
    inflated.writeUInt32BE(1_000_000_000, 8);
    const damaged: [string, Buffer, Buffer | undefined][] = [
      ['torn mid-record', good.subarray(0, good.length - 40), undefined],
      ['one byte altered', flipped, undefined],
      ['a count far past the end', inflated, undefined],
      ['empty', Buffer.alloc(0), undefined],
      ['not ours at all', Buffer.from('{"hub-a":"yes"}'), undefined],
      ['sealed with another key', good, randomBytes(32)],
    ];
    for (const [what, bytes, key] of damaged) {
      writeFileSync(file, bytes);
      const next = run(dir, store, key !== undefined ? { key } : {});
      await next.file.start();
      expect(next.passwords.size, what).toBe(0);
      expect(next.lines.some((l) => l.includes('not intact')), what).toBe(true);
      for (const c of creds) expect(await next.hubs.verify(c.hubId, c.password), what).toBe(true);
      expect(next.scrypts, what).toHaveLength(3);
      await next.file.stop();
      writeFileSync(file, good);
    }
  });

  it('a key file that is not a key is replaced, and the memory sealed with the old one is not trusted', async () => {
    const { dir, store } = setup();
    const first = run(dir, store);
    await first.file.start();
    const a = await first.hubs.provision({ hubId: 'hub-a' });
    expect(await first.hubs.verify('hub-a', a.password)).toBe(true);
    await first.file.stop();
    writeFileSync(join(dir, 'verify-key'), 'short\n');
    const second = run(dir, store);
    await second.file.start();
    expect(second.lines.some((l) => l.includes('not 32 bytes'))).toBe(true);
    expect(second.passwords.size).toBe(0);
    expect(await second.hubs.verify('hub-a', a.password)).toBe(true);
    expect(second.scrypts).toHaveLength(1);
    await second.file.stop();
  });

  it('is saved while running, so a killed gateway keeps what was verified before its last save; restoring stays within the capacity', async () => {
    const { dir, store } = setup();
    const first = run(dir, store);
    await first.file.start();
    const creds = await Promise.all(Array.from({ length: 5 }, (_, i) => first.hubs.provision({ hubId: `hub-${i}` })));
    for (const c of creds) expect(await first.hubs.verify(c.hubId, c.password)).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    // No stop(): the process died. The periodic save has the five.
    const small = run(dir, store, { capacity: 3 });
    expect(small.file.load()).toBe(3);
    const next = run(dir, store);
    expect(next.file.load()).toBe(5);
    await first.file.stop();
  });
});
