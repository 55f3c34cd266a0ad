import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt } from 'drizzle-orm';
import type { Clock } from '../clock.js';
import { GatewayError } from '../errors.js';
import { dummyPasswordHash, generatePassword, hashPassword, verifyPassword } from '../hubs/credentials.js';
import type { Store } from '../store/db.js';
import { sessions, users } from '../store/schema.js';

export const ROLES = ['dispatcher', 'engineer', 'manager', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface UserRecord {
  readonly username: string;
  readonly role: Role;
  readonly createdAt: number;
  readonly disabledAt: number | null;
}

const SESSION_MS = 12 * 3_600_000;
const tokenHash = (token: string): string => createHash('sha256').update(token).digest('base64url');

/** Console users and their sessions. There is no default user: the first admin comes from `forecare users add`. */
export class UserStore {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async add(username: string, role: Role, password?: string): Promise<{ username: string; role: Role; password: string }> {
    if (!/^[a-z0-9][a-z0-9._-]{1,63}$/i.test(username)) throw new GatewayError('GW_ERR_VALIDATION', 'user names are 2-64 letters, digits, dots, dashes or underscores');
    if (!(ROLES as readonly string[]).includes(role)) throw new GatewayError('GW_ERR_VALIDATION', `role must be one of ${ROLES.join(', ')}`);
    const pw = password ?? generatePassword();
    if (pw.length < 12) throw new GatewayError('GW_ERR_VALIDATION', 'passwords have at least 12 characters');
    const r = this.store.db.insert(users).values({ username, role, passwordHash: await hashPassword(pw), createdAt: this.clock.now() }).onConflictDoNothing().run();
    if (r.changes === 0) throw new GatewayError('GW_ERR_USER_EXISTS', `user ${username} exists`);
    return { username, role, password: pw };
  }

  list(): UserRecord[] {
    return this.store.db.select({ username: users.username, role: users.role, createdAt: users.createdAt, disabledAt: users.disabledAt }).from(users).all() as UserRecord[];
  }

  /** An admin's change of a user's role or standing; disabling ends the user's sessions at once. */
  update(username: string, patch: { role?: Role | undefined; disabled?: boolean | undefined }): UserRecord {
    if (patch.role !== undefined && !(ROLES as readonly string[]).includes(patch.role)) throw new GatewayError('GW_ERR_VALIDATION', `role must be one of ${ROLES.join(', ')}`);
    const set = {
      ...(patch.role !== undefined ? { role: patch.role } : {}),
      ...(patch.disabled !== undefined ? { disabledAt: patch.disabled ? this.clock.now() : null } : {}),
    };
    const r = Object.keys(set).length === 0 ? { changes: 1 } : this.store.db.update(users).set(set).where(eq(users.username, username)).run();
    const u = this.list().find((x) => x.username === username);
    if (r.changes === 0 || u === undefined) throw new GatewayError('GW_ERR_NOT_FOUND', `no user ${username}`);
    if (patch.disabled === true) this.store.db.delete(sessions).where(eq(sessions.username, username)).run();
    return u;
  }

  /** A new session token for the right password; undefined otherwise. */
  async signIn(username: string, password: string): Promise<{ token: string; role: Role; expiresAt: number } | undefined> {
    const u = this.store.db.select().from(users).where(eq(users.username, username)).get();
    // Verify against a dummy hash when the user is unknown, so timing does not tell which names exist.
    const ok = await verifyPassword(password, u?.passwordHash ?? (await dummyPasswordHash()));
    if (u === undefined || !ok || u.disabledAt !== null) return undefined;
    const token = `fcs_${randomBytes(24).toString('base64url')}`;
    const expiresAt = this.clock.now() + SESSION_MS;
    this.store.db.insert(sessions).values({ tokenHash: tokenHash(token), username, createdAt: this.clock.now(), expiresAt }).run();
    return { token, role: u.role as Role, expiresAt };
  }

  /** The user behind a session token, if it is live. */
  session(token: string): UserRecord | undefined {
    const s = this.store.db.select().from(sessions).where(and(eq(sessions.tokenHash, tokenHash(token)), gt(sessions.expiresAt, this.clock.now()))).get();
    if (s === undefined) return undefined;
    const u = this.list().find((x) => x.username === s.username);
    return u === undefined || u.disabledAt !== null ? undefined : u;
  }

  signOut(token: string): void {
    this.store.db.delete(sessions).where(eq(sessions.tokenHash, tokenHash(token))).run();
  }
}

