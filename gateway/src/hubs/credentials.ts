import { createHash, createHmac, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** scrypt parameters (RFC 7914): N=2^14, r=8, p=1 — ~16 MB·ms per check, off the event loop. */
const PARAMS = { N: 16384, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;

/**
 * scrypt runs on libuv's thread pool, off the event loop; but on two cores a burst of them (a
 * sign-in flood, a reconnect storm) still takes the CPU the event loop and the journal need.
 * At most this many run at once; the rest wait their turn.
 */
const MAX_CONCURRENT = 2;
let running = 0;
const waiting: (() => void)[] = [];

async function scryptAsync(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  // A finished check hands its slot straight to the next waiter, so the bound holds exactly.
  if (running < MAX_CONCURRENT) running++;
  else await new Promise<void>((resolve) => waiting.push(resolve));
  try {
    return await new Promise((resolve, reject) => {
      scrypt(password, salt, KEY_LENGTH, { ...options, maxmem: 64 * 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key)));
    });
  } finally {
    const next = waiting.shift();
    if (next !== undefined) next();
    else running--;
  }
}

/** A fresh random password for a hub: 32 url-safe characters (192 bits). Never a default (ETSI EN 303 645 5.1). */
export function generatePassword(): string {
  return randomBytes(24).toString('base64url');
}

/** Encoded as `scrypt$N$r$p$salt$hash` (base64url), so parameters can change without a migration. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, PARAMS);
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, saltText, hashText] = parts;
  const expected = Buffer.from(hashText ?? '', 'base64url');
  const key = await scryptAsync(password, Buffer.from(saltText ?? '', 'base64url'), { N: Number(n), r: Number(r), p: Number(p) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

export type PasswordVerifier = (password: string, encoded: string) => Promise<boolean>;

let dummyHash: Promise<string> | undefined;

/** A hash of a random password, made once on first use: what an unknown account's password is checked against. */
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(generatePassword());
  return dummyHash;
}

/**
 * Password checks against stored hashes, with a memory of what already matched. A reconnect
 * storm (every hub back after an outage) must not cost one scrypt each: a password already
 * verified against this exact stored hash is recognised by a keyed MAC. Rotation changes
 * the hash, so an entry never outlives the credential it vouches for. An unknown or revoked
 * account costs the same scrypt verification, against a dummy hash, so that response
 * timing does not tell which hub ids or account names exist. The memory can be kept across
 * a restart (verified-file.ts) only with the key it was made with.
 */
export class VerifiedPasswords {
  /** SHA-256 of the stored hash → MAC of the password that matched it. */
  private readonly verified = new Map<string, Buffer>();
  /** Changes since the memory was last saved. */
  private changes = 0;

  constructor(
    private readonly capacity = 200_000,
    private readonly verify: PasswordVerifier = verifyPassword,
    /** 32 bytes; a fresh one per process unless the memory is kept across restarts. */
    private readonly key: Buffer = randomBytes(32),
  ) {
    if (key.length !== 32) throw new Error('VerifiedPasswords: the key is 32 bytes');
  }

  /** `passwordHash` undefined: no such account — false, after the same work as a wrong password. */
  async check(password: string, passwordHash: string | undefined): Promise<boolean> {
    if (passwordHash === undefined) {
      await this.verify(password, await dummyPasswordHash());
      return false;
    }
    const id = hashId(passwordHash);
    const mac = this.macOf(id, password);
    const known = this.verified.get(id);
    if (known !== undefined && known.length === mac.length && timingSafeEqual(known, mac)) return true;
    const ok = await this.verify(password, passwordHash);
    if (ok) this.remember(id, mac);
    return ok;
  }

  get size(): number {
    return this.verified.size;
  }

  /** How many entries changed since the last `markSaved()`. */
  get unsaved(): number {
    return this.changes;
  }

  markSaved(): void {
    this.changes = 0;
  }

  /** Every entry as 32 bytes of hash id then 32 of MAC. */
  entries(): Buffer[] {
    return [...this.verified].map(([id, mac]) => Buffer.concat([Buffer.from(id, 'base64url'), mac]));
  }

  /** Takes entries back (from `entries()` of a memory with the same key); returns how many. */
  restore(records: readonly Buffer[]): number {
    for (const r of records) {
      if (r.length !== 64 || this.verified.size >= this.capacity) continue;
      this.verified.set(r.subarray(0, 32).toString('base64url'), Buffer.from(r.subarray(32)));
    }
    return this.verified.size;
  }

  /** A MAC with this memory's key, for checking a saved file's integrity. */
  seal(data: Buffer): Buffer {
    return createHmac('sha256', this.key).update('file\0').update(data).digest();
  }

  private macOf(id: string, password: string): Buffer {
    // Bound to the stored hash: a saved entry vouches for one credential only.
    return createHmac('sha256', this.key).update('password\0').update(id).update('\0').update(password).digest();
  }

  private remember(id: string, mac: Buffer): void {
    if (!this.verified.has(id) && this.verified.size >= this.capacity) this.verified.delete(this.verified.keys().next().value ?? '');
    this.verified.set(id, mac);
    this.changes++;
  }
}

function hashId(passwordHash: string): string {
  return createHash('sha256').update(passwordHash).digest('base64url');
}
