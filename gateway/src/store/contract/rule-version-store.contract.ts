/** What every RuleVersionStore must do, as a test that takes a factory (SQLite here, PostgreSQL in issue 22). */
import { afterEach, describe, expect, it } from 'vitest';
import type { RuleVersionRecord, RuleVersionStore } from '../ports/rule-versions.js';

export interface RuleVersionStoreHarness {
  readonly versions: RuleVersionStore;
  close(): Promise<void>;
}

const T0 = Date.UTC(2026, 10, 24, 12, 0);
const record = (version: number, author = 'ana'): RuleVersionRecord => ({ version, author, message: `v${version}`, createdAt: T0 + version, rules: JSON.stringify([{ id: `r${version}` }]), diff: version === 1 ? '' : '{"added":[]}' });

export function ruleVersionStoreContract(name: string, open: () => Promise<RuleVersionStoreHarness>): void {
  describe(`RuleVersionStore contract: ${name}`, () => {
    let h: RuleVersionStoreHarness | undefined;
    const harness = async (): Promise<RuleVersionStoreHarness> => (h = await open());
    afterEach(async () => {
      await h?.close();
      h = undefined;
    });

    it('has no version before the first, and no version that was never recorded', async () => {
      const { versions } = await harness();
      expect(await versions.latest()).toBeUndefined();
      expect(await versions.list()).toEqual([]);
      expect(await versions.get(1)).toBeUndefined();
      expect(await versions.get(-1)).toBeUndefined();
      await versions.add(record(1));
      // Numbers no deploy can have: not integers, or past what a version column holds.
      for (const v of [1.5, 2 ** 40, Number.MAX_SAFE_INTEGER, -(2 ** 40)]) expect(await versions.get(v)).toBeUndefined();
    });

    it('keeps every version as given, lists them newest first and answers the highest as latest', async () => {
      const { versions } = await harness();
      for (const v of [1, 2, 3]) await versions.add(record(v));
      expect(await versions.latest()).toEqual(record(3));
      expect((await versions.list()).map((r) => r.version)).toEqual([3, 2, 1]);
      expect(await versions.get(2)).toEqual(record(2));
    });

    it('refuses a version number already taken (two deploys at once), keeping the first one whole', async () => {
      const { versions } = await harness();
      await versions.add(record(1));
      const [first, second] = await Promise.allSettled([versions.add(record(2, 'ana')), versions.add(record(2, 'bo'))]);
      expect(first.status).toBe('fulfilled');
      expect(second).toMatchObject({ status: 'rejected', reason: { code: 'GW_ERR_RULES_STALE' } });
      expect((await versions.get(2))?.author).toBe('ana');
      expect(await versions.list()).toHaveLength(2);
    });

    it('keeps rule sets of any size and text byte for byte (quotes, newlines, non-ASCII)', async () => {
      const { versions } = await harness();
      const rules = JSON.stringify(Array.from({ length: 2000 }, (_, i) => ({ id: `r${i}`, condition: 'metrics.t > 4 && "ä\\n\'\\u0000"' })));
      await versions.add({ ...record(1), rules, message: 'große "Änderung"\n2. Zeile' });
      const got = await versions.get(1);
      expect(got?.rules).toBe(rules);
      expect(got?.message).toBe('große "Änderung"\n2. Zeile');
    });
  });
}
