import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { Logger } from '../log.js';
import type { Part } from '../part.js';
import type { VerifiedPasswords } from './credentials.js';

/** `FCVPW1`, a newline and a zero: a file of another kind or version is never read as this one. */
const MAGIC = Buffer.from('FCVPW1\n\0', 'latin1');
const RECORD = 64;
const SEAL = 32;

/**
 * The key a kept memory of verified hub passwords is made with, in a file of its own beside
 * the database (mode 0600). A file that is not a key is replaced: the memory it sealed is then
 * unreadable and every hub pays one scrypt check again, which is slower, never unsafe.
 */
export function keptVerifyKey(file: string, logger: Logger): Buffer {
  if (existsSync(file)) {
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url');
    if (key.length === 32) return key;
    logger.warn({ file }, 'the verified-password key is not 32 bytes: a new one is made and the kept memory is dropped');
  }
  const key = randomBytes(32);
  writeFileSync(file, key.toString('base64url') + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return key;
}

/**
 * Keeps the hub password checks that succeeded across a restart, so that 20,000 hubs coming
 * back at once cost an HMAC each, not a scrypt each. Safe to keep because an entry is a keyed
 * MAC of a password bound to the stored hash it matched: a rotated credential has a new hash
 * (its old entry matches nothing), a revoked one is refused before the memory is asked, and a
 * hub password is 192 random bits, so the MAC gives an attacker who reads the data directory
 * nothing to guess offline. The file is sealed with the same key; a torn, truncated or altered
 * file is ignored as a whole (logged), never half-read. Saved every `everyMs` when something
 * changed, and on stop.
 */
export class VerifiedPasswordsFile implements Part {
  readonly name = 'verified hub passwords';
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly file: string,
    private readonly passwords: VerifiedPasswords,
    private readonly logger: Logger,
    private readonly everyMs = 30_000,
  ) {}

  start(): Promise<void> {
    const restored = this.load();
    if (restored > 0) this.logger.info({ entries: restored }, 'verified hub passwords kept from the last run');
    this.timer = setInterval(() => this.saveIfChanged(), this.everyMs);
    this.timer.unref();
    return Promise.resolve();
  }

  stop(): Promise<void> {
    clearInterval(this.timer);
    this.saveIfChanged();
    return Promise.resolve();
  }

  /** Reads the kept entries back; 0 when there is no file or it is not intact. */
  load(): number {
    if (!existsSync(this.file)) return 0;
    const data = readFileSync(this.file);
    const count = data.length >= MAGIC.length + 4 ? data.readUInt32BE(MAGIC.length) : -1;
    const body = MAGIC.length + 4 + count * RECORD;
    const intact = count >= 0 && data.length === body + SEAL && data.subarray(0, MAGIC.length).equals(MAGIC) && this.passwords.seal(data.subarray(0, body)).equals(data.subarray(body));
    if (!intact) {
      this.logger.warn({ file: this.file, bytes: data.length }, 'kept verified hub passwords are not intact (torn, altered or made with another key): ignored, hubs are checked with scrypt again');
      rmSync(this.file, { force: true });
      return 0;
    }
    const records: Buffer[] = [];
    for (let at = MAGIC.length + 4; at < body; at += RECORD) records.push(data.subarray(at, at + RECORD));
    return this.passwords.restore(records);
  }

  private saveIfChanged(): void {
    if (this.passwords.unsaved === 0) return;
    try {
      this.save();
    } catch (err) {
      // Only the speed of the next restart depends on this file.
      this.logger.warn({ err, file: this.file }, 'could not keep the verified hub passwords');
    }
  }

  private save(): void {
    const records = this.passwords.entries();
    const head = Buffer.alloc(MAGIC.length + 4);
    MAGIC.copy(head);
    head.writeUInt32BE(records.length, MAGIC.length);
    const body = Buffer.concat([head, ...records]);
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, Buffer.concat([body, this.passwords.seal(body)]), { mode: 0o600 });
    renameSync(tmp, this.file);
    this.passwords.markSaved();
  }
}
