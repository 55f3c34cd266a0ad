/** Food categories with default shelf lives. An item's own expiry date, when given, wins. */
import type { LocalizedText } from './types.js';

export const FOOD_CATEGORIES = [
  'dairy',
  'meat',
  'fish',
  'vegetables',
  'fruit',
  'leftovers',
  'drinks',
  'eggs',
  'bakery',
  'sauces',
  'frozen',
] as const;
export type FoodCategory = (typeof FOOD_CATEGORIES)[number];
export type Storage = 'fridge' | 'freezer';

export interface FoodCategorySpec {
  readonly category: FoodCategory;
  readonly shelfLifeDays: { readonly fridge: number; readonly freezer: number };
}

export const foodCategories = [
  { category: 'dairy', shelfLifeDays: { fridge: 7, freezer: 90 } },
  { category: 'meat', shelfLifeDays: { fridge: 3, freezer: 180 } },
  { category: 'fish', shelfLifeDays: { fridge: 2, freezer: 120 } },
  { category: 'vegetables', shelfLifeDays: { fridge: 7, freezer: 240 } },
  { category: 'fruit', shelfLifeDays: { fridge: 10, freezer: 240 } },
  { category: 'leftovers', shelfLifeDays: { fridge: 3, freezer: 60 } },
  { category: 'drinks', shelfLifeDays: { fridge: 14, freezer: 90 } },
  { category: 'eggs', shelfLifeDays: { fridge: 28, freezer: 180 } },
  { category: 'bakery', shelfLifeDays: { fridge: 5, freezer: 90 } },
  { category: 'sauces', shelfLifeDays: { fridge: 30, freezer: 180 } },
  { category: 'frozen', shelfLifeDays: { fridge: 1, freezer: 180 } },
] as const satisfies readonly FoodCategorySpec[];

const DAY_MS = 86_400_000;

/**
 * When an item expires, in epoch ms: its own `expiresAt` when the firmware knows it
 * (a scanned best-before date), else the time it was stored plus the category's shelf life.
 */
export function itemExpiresAt(item: {
  readonly category: FoodCategory;
  readonly storedAt: number;
  readonly storage?: Storage | undefined;
  readonly expiresAt?: number | undefined;
}): number {
  if (item.expiresAt !== undefined) return item.expiresAt;
  const spec = foodCategories.find((c) => c.category === item.category);
  const days = spec ? spec.shelfLifeDays[item.storage ?? 'fridge'] : 3;
  return item.storedAt + days * DAY_MS;
}

/** The words of the daily food digest a customer gets, per language: catalog data, like a fault's customerText. */
export interface FoodDigestText {
  /** `{count}` items, `{names}` their names joined by `separator`; `one` when a single item is told. */
  readonly one: string;
  readonly other: string;
  /** Added after the count when some items are already past their date; `{expired}` is how many. */
  readonly expiredNote: string;
  readonly separator: string;
}

export const foodDigestText = {
  en: {
    one: '{count} item in your fridge is about to expire{expiredNote}: {names}',
    other: '{count} items in your fridge are about to expire{expiredNote}: {names}',
    expiredNote: ' ({expired} already expired)',
    separator: ', ',
  },
  zh: {
    one: '您的冰箱里有 {count} 件食品即将过期{expiredNote}：{names}',
    other: '您的冰箱里有 {count} 件食品即将过期{expiredNote}：{names}',
    expiredNote: '（{expired} 件已过期）',
    separator: '、',
  },
} as const satisfies Record<keyof LocalizedText, FoodDigestText>;

/** The digest's message for `items` in `language`, from the catalog's words. */
export function foodDigestMessage(items: readonly { readonly name: string; readonly expired: boolean }[], language: keyof LocalizedText): string {
  const text: FoodDigestText = foodDigestText[language];
  const expired = items.filter((i) => i.expired).length;
  const fill = (template: string, values: Record<string, string>): string => template.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
  return fill(items.length === 1 ? text.one : text.other, {
    count: String(items.length),
    expiredNote: expired > 0 ? fill(text.expiredNote, { expired: String(expired) }) : '',
    names: items.map((i) => i.name).join(text.separator),
  });
}
