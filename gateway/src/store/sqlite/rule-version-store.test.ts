import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../clock.js';
import { fileRulesVersion } from '../../engine/rule-versions.js';
import { loadRuleFiles } from '../../engine/rule-files.js';
import { ruleVersionStoreContract } from '../contract/rule-version-store.contract.js';
import { openStore } from '../db.js';
import { SqliteRuleVersionStore } from './rule-version-store.js';

const openOne = (): { store: ReturnType<typeof openStore>; versions: SqliteRuleVersionStore } => {
  const store = openStore(join(mkdtempSync(join(tmpdir(), 'forecare-rule-versions-')), 'gw.db'));
  return { store, versions: new SqliteRuleVersionStore(store) };
};

ruleVersionStoreContract('SQLite', () => {
  const { store, versions } = openOne();
  return Promise.resolve({ versions, close: () => Promise.resolve(store.close()) });
});

describe('rule files as a version', () => {
  it('records the rule files once, and a new version only when they change', async () => {
    const { store, versions } = openOne();
    const clock = new ManualClock(1000);
    const rules = loadRuleFiles('');
    expect(await fileRulesVersion(versions, clock, rules)).toBe(1);
    expect(await fileRulesVersion(versions, clock, rules)).toBe(1);
    expect(await fileRulesVersion(versions, clock, rules.slice(1))).toBe(2);
    expect((await versions.list()).map((v) => [v.version, v.author, v.message])).toEqual([
      [2, 'rule files', 'rule files changed'],
      [1, 'rule files', 'initial rules'],
    ]);
    expect(versions.listNow()).toEqual(await versions.list());
    store.close();
  });
});
