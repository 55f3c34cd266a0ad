import { desc, eq } from 'drizzle-orm';
import { GatewayError } from '../../errors.js';
import type { RuleVersionRecord, RuleVersionStore } from '../ports/rule-versions.js';
import type { PgStore } from './pg-store.js';
import { ruleVersions } from './schema.js';

/** What a record is made of; `effective_seq` is the cluster's own column, not part of the port's record. */
const columns = {
  version: ruleVersions.version,
  author: ruleVersions.author,
  message: ruleVersions.message,
  createdAt: ruleVersions.createdAt,
  rules: ruleVersions.rules,
  diff: ruleVersions.diff,
};

/**
 * Rule versions on PostgreSQL, shared by every node. The version number is the primary key, so
 * two deploys of the same number from two nodes meet in PostgreSQL itself: the second insert
 * waits for the first to commit, then inserts nothing, and is refused as stale.
 */
export class PgRuleVersionStore implements RuleVersionStore {
  constructor(private readonly store: PgStore) {}

  async latest(): Promise<RuleVersionRecord | undefined> {
    return (await this.store.db.select(columns).from(ruleVersions).orderBy(desc(ruleVersions.version)).limit(1))[0];
  }

  list(): Promise<RuleVersionRecord[]> {
    return this.store.db.select(columns).from(ruleVersions).orderBy(desc(ruleVersions.version));
  }

  async get(version: number): Promise<RuleVersionRecord | undefined> {
    // Not an integer column's value: no such version (rather than PostgreSQL's cast error).
    if (!Number.isSafeInteger(version) || Math.abs(version) > 2 ** 31 - 1) return undefined;
    return (await this.store.db.select(columns).from(ruleVersions).where(eq(ruleVersions.version, version)))[0];
  }

  async add(record: RuleVersionRecord): Promise<void> {
    const { version, author, message, createdAt, rules, diff } = record;
    const inserted = await this.store.db.insert(ruleVersions).values({ version, author, message, createdAt, rules, diff }).onConflictDoNothing().returning({ version: ruleVersions.version });
    if (inserted.length === 0) throw new GatewayError('GW_ERR_RULES_STALE', `rule version ${version} was recorded by another deploy meanwhile: reload and deploy again`);
  }
}
