import { describe, expect, it } from 'vitest';
import { APPLIANCE_TYPES, applianceCatalog, applianceSpec, lookupFault, lookupMetric, lookupState, type Severity } from './index.js';
import { FOOD_CATEGORIES, foodCategories, foodDigestMessage, foodDigestText, itemExpiresAt } from './food.js';

const SEVERITIES: readonly Severity[] = ['info', 'warning', 'critical', 'safety'];
const CJK = /[\u4e00-\u9fff]/;
const NAME = /^[a-z][a-z0-9_]*$/;
const CODE = /^[EW]-[A-Z]{2,5}-\d{2}$/;

describe('appliance catalogs', () => {
  it('has one catalog per appliance type, keyed by its own type', () => {
    expect(Object.keys(applianceCatalog).sort()).toEqual([...APPLIANCE_TYPES].sort());
    for (const type of APPLIANCE_TYPES) expect(applianceCatalog[type].type).toBe(type);
  });

  for (const type of APPLIANCE_TYPES) {
    const spec = applianceCatalog[type];
    describe(type, () => {
      it('names itself in English and Chinese', () => {
        expect(spec.displayName.en.length).toBeGreaterThan(0);
        expect(spec.displayName.zh).toMatch(CJK);
      });

      it('has complete metrics: unique names, unit, valid range holding the typical range', () => {
        expect(spec.metrics.length).toBeGreaterThanOrEqual(4);
        expect(new Set(spec.metrics.map((m) => m.name)).size).toBe(spec.metrics.length);
        for (const m of spec.metrics) {
          expect(m.name, m.name).toMatch(NAME);
          expect(m.name.length).toBeLessThanOrEqual(64);
          expect(m.unit.length, m.name).toBeGreaterThan(0);
          expect(m.description.length, m.name).toBeGreaterThan(0);
          expect(['number', 'integer', 'boolean']).toContain(m.type);
          const [lo, hi] = m.valid;
          const [tlo, thi] = m.typical;
          expect(lo, m.name).toBeLessThan(hi);
          expect(tlo, m.name).toBeLessThanOrEqual(thi);
          expect(tlo, m.name).toBeGreaterThanOrEqual(lo);
          expect(thi, m.name).toBeLessThanOrEqual(hi);
          if (m.type === 'boolean') expect([lo, hi], m.name).toEqual([0, 1]);
          if (m.type === 'integer') expect(Number.isInteger(lo) && Number.isInteger(hi), m.name).toBe(true);
        }
      });

      it('has complete states: unique names, boolean or a non-empty list of distinct values', () => {
        expect(spec.states.length).toBeGreaterThan(0);
        expect(new Set(spec.states.map((s) => s.name)).size).toBe(spec.states.length);
        for (const s of spec.states) {
          expect(s.name).toMatch(NAME);
          expect(s.description.length).toBeGreaterThan(0);
          if (s.values !== 'boolean') {
            expect(s.values.length, s.name).toBeGreaterThan(1);
            expect(new Set(s.values).size, s.name).toBe(s.values.length);
            for (const v of s.values) expect(v).toMatch(NAME);
          }
        }
      });

      it('has complete fault entries: code, class, meaning, severity, visit, part, customer text in en and zh', () => {
        expect(spec.faults.length).toBeGreaterThanOrEqual(5);
        expect(new Set(spec.faults.map((f) => f.code)).size).toBe(spec.faults.length);
        for (const f of spec.faults) {
          expect(f.code).toMatch(CODE);
          expect(f.faultClass, f.code).toMatch(NAME);
          expect(f.meaning.length, f.code).toBeGreaterThan(0);
          expect(SEVERITIES, f.code).toContain(f.severity);
          expect(typeof f.needsVisit, f.code).toBe('boolean');
          // A part is named exactly when someone has to come and fit it.
          if (f.needsVisit) expect(f.likelyPart?.length, f.code).toBeGreaterThan(0);
          else expect(f.likelyPart, f.code).toBeNull();
          // A safety fault always brings a technician.
          if (f.severity === 'safety') expect(f.needsVisit, f.code).toBe(true);
          expect(f.customerText.en.length, f.code).toBeGreaterThan(10);
          expect(f.customerText.zh, f.code).toMatch(CJK);
        }
      });

      it('names warnings by their severity: W- codes are info or warning', () => {
        for (const f of spec.faults) if (f.code.startsWith('W-')) expect(['info', 'warning'], f.code).toContain(f.severity);
      });
    });
  }

  it('marks the known hazards as safety faults', () => {
    expect(lookupFault('dryer', 'E-OVH-01')?.severity).toBe('safety');
    expect(lookupFault('water_heater', 'E-GAS-01')?.severity).toBe('safety');
    expect(lookupFault('water_heater', 'E-OVH-01')?.severity).toBe('safety');
    expect(lookupFault('oven', 'E-OVH-01')?.severity).toBe('safety');
    expect(lookupFault('dishwasher', 'E-LEAK-01')?.severity).toBe('safety');
    expect(lookupFault('washer', 'E-LEAK-01')?.severity).toBe('safety');
  });

  it('looks up faults, metrics and states, and finds nothing for unknown or prototype names', () => {
    expect(lookupFault('refrigerator', 'E-CMP-01')?.likelyPart).toBe('compressor start relay');
    expect(lookupMetric('oven', 'cavity_temp_c')?.unit).toBe('°C');
    expect(lookupState('washer', 'phase')?.values).toContain('spin');
    expect(lookupFault('refrigerator', 'E-NOPE-99')).toBeUndefined();
    for (const hostile of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', '']) {
      expect(applianceSpec(hostile)).toBeUndefined();
      expect(lookupFault(hostile, 'E-CMP-01')).toBeUndefined();
      expect(lookupMetric(hostile, 'x')).toBeUndefined();
      expect(lookupMetric('refrigerator', hostile)).toBeUndefined();
    }
  });
});

describe('food categories', () => {
  it('lists every category once with positive whole-day shelf lives, longer in the freezer', () => {
    expect(foodCategories.map((c) => c.category)).toEqual([...FOOD_CATEGORIES]);
    for (const { category, shelfLifeDays } of foodCategories) {
      expect(Number.isInteger(shelfLifeDays.fridge) && shelfLifeDays.fridge > 0, category).toBe(true);
      expect(Number.isInteger(shelfLifeDays.freezer) && shelfLifeDays.freezer > 0, category).toBe(true);
      expect(shelfLifeDays.freezer, category).toBeGreaterThan(shelfLifeDays.fridge);
    }
    for (const required of ['dairy', 'meat', 'fish', 'vegetables', 'fruit', 'leftovers', 'drinks', 'frozen']) {
      expect(FOOD_CATEGORIES).toContain(required);
    }
  });

  it('computes expiry from the shelf life of the category and the storage', () => {
    const storedAt = Date.UTC(2026, 0, 1);
    expect(itemExpiresAt({ category: 'fish', storedAt })).toBe(storedAt + 2 * 86_400_000);
    expect(itemExpiresAt({ category: 'fish', storedAt, storage: 'fridge' })).toBe(storedAt + 2 * 86_400_000);
    expect(itemExpiresAt({ category: 'fish', storedAt, storage: 'freezer' })).toBe(storedAt + 120 * 86_400_000);
  });

  it("lets the item's own expiry date win over the category", () => {
    const storedAt = Date.UTC(2026, 0, 1);
    const own = Date.UTC(2026, 0, 20);
    expect(itemExpiresAt({ category: 'fish', storedAt, storage: 'freezer', expiresAt: own })).toBe(own);
    // even when it is sooner than the category default
    expect(itemExpiresAt({ category: 'sauces', storedAt, expiresAt: storedAt + 1 })).toBe(storedAt + 1);
  });
});

describe('food digest words', () => {
  it('every language has every template, each with the placeholders it must fill', () => {
    for (const [language, text] of Object.entries(foodDigestText)) {
      for (const template of [text.one, text.other]) {
        expect(template, language).toContain('{count}');
        expect(template, language).toContain('{names}');
        expect(template, language).toContain('{expiredNote}');
      }
      expect(text.expiredNote, language).toContain('{expired}');
    }
  });

  it('tells one item, several, and how many are already past their date, in each language', () => {
    const milk = { name: 'milk', expired: false };
    const fish = { name: 'fish', expired: true };
    expect(foodDigestMessage([milk], 'en')).toBe('1 item in your fridge is about to expire: milk');
    expect(foodDigestMessage([milk, fish], 'en')).toBe('2 items in your fridge are about to expire (1 already expired): milk, fish');
    expect(foodDigestMessage([milk, fish], 'zh')).toBe('您的冰箱里有 2 件食品即将过期（1 件已过期）：milk、fish');
  });

  it('an item named like a placeholder is told as it is named, never filled in', () => {
    expect(foodDigestMessage([{ name: '{count}{expiredNote}', expired: false }], 'en')).toBe('1 item in your fridge is about to expire: {count}{expiredNote}');
    expect(foodDigestMessage([{ name: '$& $1', expired: true }], 'zh')).toBe('您的冰箱里有 1 件食品即将过期（1 件已过期）：$& $1');
  });
});
