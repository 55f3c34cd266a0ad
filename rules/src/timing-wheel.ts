/**
 * A hashed timing wheel with an exact near queue. Timers hash into `slots` buckets of
 * `resolutionMs` by due time, so inserting is O(1); when time enters a bucket's slot, the
 * bucket is scanned once and the timers due inside that slot move to a small min-heap, which
 * hands them out at their exact due time. Timers due in a later turn of the wheel stay in
 * the bucket. A timer is identified by a key; setting a key again replaces its due time (the
 * old entry stays behind and is recognised as stale), so re-arming a million offline timers
 * on every heartbeat costs one map write and one push each.
 */
export class TimingWheel {
  private readonly buckets: string[][];
  /** key → due time; the only truth about which timers are live. */
  private readonly due = new Map<string, number>();
  /** Start of the slot whose timers are in the near heap; everything earlier has been moved or fired. */
  private slotStart: number;
  /** Timers due before `slotStart + resolutionMs`, as (due, key), a binary min-heap. */
  private readonly near: [number, string][] = [];

  constructor(
    private readonly resolutionMs = 1000,
    private readonly slots = 4096,
    start = 0,
  ) {
    this.buckets = Array.from({ length: slots }, () => []);
    this.slotStart = Math.floor(start / resolutionMs) * resolutionMs;
    this.scan(this.slotIndex(this.slotStart));
  }

  get size(): number {
    return this.due.size;
  }

  /** Where the wheel stands (for snapshots). */
  get position(): number {
    return this.slotStart;
  }

  private slotIndex(at: number): number {
    return Math.floor(at / this.resolutionMs) % this.slots;
  }

  set(key: string, at: number): void {
    this.due.set(key, at);
    if (at < this.slotStart + this.resolutionMs) this.pushNear(at, key);
    else (this.buckets[this.slotIndex(at)] as string[]).push(key);
  }

  cancel(key: string): void {
    this.due.delete(key);
  }

  dueOf(key: string): number | undefined {
    return this.due.get(key);
  }

  /** Moves the timers of the current slot from its bucket into the near heap. */
  private scan(index: number): void {
    const bucket = this.buckets[index] as string[];
    if (bucket.length === 0) return;
    const end = this.slotStart + this.resolutionMs;
    const keep: string[] = [];
    for (const key of bucket) {
      const at = this.due.get(key);
      if (at === undefined || this.slotIndex(at) !== index) continue; // cancelled, or re-set to another slot
      if (at < end) this.pushNear(at, key);
      else keep.push(key); // a later turn of the wheel
    }
    this.buckets[index] = keep;
  }

  /**
   * Hands out every timer due at or before `now`, earliest first (ties by key), and
   * forgets them. A jump longer than one turn of the wheel visits each bucket once.
   */
  advance(now: number): { key: string; at: number }[] {
    const fired: { key: string; at: number }[] = [];
    for (;;) {
      this.popDue(now, fired);
      const nextSlot = this.slotStart + this.resolutionMs;
      if (now < nextSlot) break;
      const turns = Math.floor((now - nextSlot) / this.resolutionMs);
      if (turns >= this.slots) {
        // Long jump: every bucket is due for a scan; collect them all in one pass.
        this.slotStart = Math.floor(now / this.resolutionMs) * this.resolutionMs;
        for (let i = 0; i < this.slots; i++) this.collectUpTo(i, now);
        this.scan(this.slotIndex(this.slotStart));
        continue;
      }
      this.slotStart = nextSlot;
      this.scan(this.slotIndex(this.slotStart));
    }
    // Same inputs, same order: by due time, then key — snapshots and replays fire alike.
    return fired.sort((a, b) => a.at - b.at || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** After a long jump: every timer of bucket `i` due by `now` goes to the near heap. */
  private collectUpTo(index: number, now: number): void {
    const bucket = this.buckets[index] as string[];
    if (bucket.length === 0) return;
    const keep: string[] = [];
    for (const key of bucket) {
      const at = this.due.get(key);
      if (at === undefined || this.slotIndex(at) !== index) continue;
      if (at <= now) this.pushNear(at, key);
      else keep.push(key);
    }
    this.buckets[index] = keep;
  }

  private popDue(now: number, fired: { key: string; at: number }[]): void {
    const h = this.near;
    while (h.length > 0) {
      const top = h[0] as [number, string];
      if (top[0] > now) return;
      this.popNear();
      const [at, key] = top;
      if (this.due.get(key) !== at) continue; // re-armed or cancelled since
      this.due.delete(key);
      fired.push({ key, at });
    }
  }

  private pushNear(at: number, key: string): void {
    const h = this.near;
    h.push([at, key]);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(h[i] as [number, string], h[p] as [number, string])) break;
      [h[p], h[i]] = [h[i] as [number, string], h[p] as [number, string]];
      i = p;
    }
  }

  private popNear(): void {
    const h = this.near;
    const last = h.pop();
    if (h.length === 0 || last === undefined) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && less(h[l] as [number, string], h[m] as [number, string])) m = l;
      if (r < h.length && less(h[r] as [number, string], h[m] as [number, string])) m = r;
      if (m === i) return;
      [h[m], h[i]] = [h[i] as [number, string], h[m] as [number, string]];
      i = m;
    }
  }

  /** Live timers as [key, due] pairs (for snapshots). */
  entries(): [string, number][] {
    return [...this.due.entries()];
  }
}

function less(a: readonly [number, string], b: readonly [number, string]): boolean {
  return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
}
