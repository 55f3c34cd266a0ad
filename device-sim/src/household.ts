/**
 * A household and its food: a full fridge at first, a few items eaten every few hours,
 * shopping every three days (a warm load into the fridge, the door open while unloading). A
 * quiet household fills its fridge once and then sends no inventory at all — its food
 * expires all the same. The fridge reports a snapshot of what it holds after every change.
 */
import { foodCategories, type FoodItem } from '@forecare/firmware-contracts';
import type { Random } from './random.js';

const DAY_MS = 86_400_000;

export interface HouseholdOptions {
  /** Sends one inventory at the start and never again. */
  readonly quiet?: boolean | undefined;
}

export class Household {
  private pantry: FoodItem[] = [];
  private nextShop = 0;
  private started = false;

  constructor(
    private readonly rnd: Random,
    private readonly options: HouseholdOptions = {},
  ) {}

  /** What the fridge holds now. */
  get items(): readonly FoodItem[] {
    return this.pantry;
  }

  /**
   * One step at device time `now`: the new snapshot when the pantry changed (undefined when it
   * did not, or the household is quiet), and whether a warm shopping load went in.
   */
  step(now: number): { snapshot: FoodItem[] | undefined; shopped: boolean } {
    const first = !this.started;
    this.started = true;
    if (this.options.quiet === true && !first) return { snapshot: undefined, shopped: false };
    if (now < this.nextShop && !this.rnd.chance(0.02)) return { snapshot: undefined, shopped: false };
    let shopped = false;
    if (now >= this.nextShop) {
      this.nextShop = now + 3 * DAY_MS;
      shopped = !first;
      const basket = foodCategories.flatMap((c) => (this.rnd.chance(0.6) ? [{ itemId: `${c.category}-${Math.floor(now / 1000)}`, name: c.category.replace(/_/g, ' '), category: c.category, storedAt: now }] : []));
      this.pantry = [...this.pantry, ...basket].slice(-40);
    } else if (this.pantry.length > 0) {
      this.pantry.splice(Math.floor(this.rnd.next() * this.pantry.length), 1);
    }
    return { snapshot: [...this.pantry], shopped };
  }
}
