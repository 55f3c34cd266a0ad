/**
 * A hashed timing wheel: timers hash into `slots` buckets of `resolutionMs` by due time, so
 * inserting is O(1) and advancing time visits only the buckets it passes (each at most once
 * per call). A timer is identified by a key; setting a key again replaces its due time
 * (the old entry is left in its bucket and recognised as stale when reached), so re-arming
 * a million offline timers on every heartbeat costs one map write and one push each.
 */
export class TimingWheel {
  private readonly buckets: string[][];
  /** key → due time; the only truth about which timers are live. */
  private readonly due = new Map<string, number>();
  /** Everything due before this has been handed out. */
  private cursor: number;
  /** Timers set for a time the wheel has already passed: handed out by the next advance. */
  private overdue: string[] = [];

  constructor(
    private readonly resolutionMs = 1000,
    private readonly slots = 4096,
    start = 0,
  ) {
    this.buckets = Array.from({ length: slots }, () => []);
    this.cursor = start;
  }

  get size(): number {
    return this.due.size;
  }

  private bucketOf(at: number): string[] {
    const i = Math.floor(at / this.resolutionMs) % this.slots;
    return this.buckets[i] as string[];
  }

  set(key: string, at: number): void {
    this.due.set(key, at);
    if (at < this.cursor) this.overdue.push(key);
    else this.bucketOf(at).push(key);
  }

  /** Where the wheel stands (for snapshots). */
  get position(): number {
    return this.cursor;
  }

  cancel(key: string): void {
    this.due.delete(key);
  }

  dueOf(key: string): number | undefined {
    return this.due.get(key);
  }

  /**
   * Hands out every timer due at or before `now`, earliest first, and forgets them.
   * Buckets are visited from the last position to now; a jump longer than one turn of the
   * wheel visits each bucket once.
   */
  advance(now: number): { key: string; at: number }[] {
    const fired: { key: string; at: number }[] = [];
    if (this.overdue.length > 0) {
      const keep: string[] = [];
      for (const key of this.overdue) {
        const at = this.due.get(key);
        if (at === undefined) continue;
        if (at <= now) {
          fired.push({ key, at });
          this.due.delete(key);
        } else if (at < this.cursor) keep.push(key);
      }
      this.overdue = keep;
    }
    if (now < this.cursor) return sortFired(fired);
    const from = Math.floor(this.cursor / this.resolutionMs);
    const to = Math.floor(now / this.resolutionMs);
    const steps = Math.min(to - from + 1, this.slots);
    for (let s = 0; s < steps; s++) {
      const i = (from + s) % this.slots;
      const bucket = this.buckets[i] as string[];
      if (bucket.length === 0) continue;
      const keep: string[] = [];
      for (const key of bucket) {
        const at = this.due.get(key);
        if (at === undefined || (this.bucketOf(at) !== bucket && at > now)) continue; // stale: re-set elsewhere or cancelled
        if (at <= now) {
          fired.push({ key, at });
          this.due.delete(key);
        } else {
          keep.push(key); // a later turn of the wheel
        }
      }
      this.buckets[i] = keep;
    }
    this.cursor = now + 1;
    return sortFired(fired);
  }

  /** Live timers as [key, due] pairs (for snapshots). */
  entries(): [string, number][] {
    return [...this.due.entries()];
  }
}

function sortFired(fired: { key: string; at: number }[]): { key: string; at: number }[] {
  // Same inputs, same order: by due time, then key — snapshots and replays fire alike.
  return fired.sort((a, b) => a.at - b.at || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
