import { desc, eq } from 'drizzle-orm';
import { GatewayError } from '../../errors.js';
import type { Store } from '../db.js';
import type { RuleVersionRecord, RuleVersionStore } from '../ports/rule-versions.js';
import { ruleVersions } from '../schema.js';
import { answer } from './answer.js';

/** Rule versions in the main SQLite file (drizzle: these are a few rows per deploy, off every hot path). */
export class SqliteRuleVersionStore implements RuleVersionStore {
  constructor(private readonly store: Store) {}

  latest(): Promise<RuleVersionRecord | undefined> {
    return answer(() => this.store.db.select().from(ruleVersions).orderBy(desc(ruleVersions.version)).limit(1).get());
  }

  list(): Promise<RuleVersionRecord[]> {
    return answer(() => this.listNow());
  }

  /**
   * list() answered at once. Only for RuleVersions.list(), which the rules route still calls
   * without awaiting (api/routes/rules.ts); it goes once the route awaits list().
   */
  listNow(): RuleVersionRecord[] {
    return this.store.db.select().from(ruleVersions).orderBy(desc(ruleVersions.version)).all();
  }

  get(version: number): Promise<RuleVersionRecord | undefined> {
    return answer(() => this.store.db.select().from(ruleVersions).where(eq(ruleVersions.version, version)).get());
  }

  add(record: RuleVersionRecord): Promise<void> {
    return answer(() => {
      const inserted = this.store.db.insert(ruleVersions).values(record).onConflictDoNothing().run();
      if (inserted.changes === 0) throw new GatewayError('GW_ERR_RULES_STALE', `rule version ${record.version} was recorded by another deploy meanwhile: reload and deploy again`);
    });
  }
}
