/**
 * The timing wheel for timers that every appliance and hub has (offline, stale): timers are
 * dense integer ids (an appliance's or hub's index), and the wheel keeps them in typed
 * arrays — a due time and two links each, 16 bytes per id — instead of objects and string
 * keys. Same semantics as `TimingWheel`: buckets of `resolutionMs` by due time with O(1)
 * set and cancel (an intrusive doubly linked list per bucket, so re-arming leaves nothing
 * behind), and an exact near heap for the slot the wheel stands in.
 */
const NONE = -1;
/** `prev` of an id that sits in the near heap rather than in a bucket. */
const IN_NEAR = -2;

export interface Fired {
  readonly ids: number[];
  readonly ats: number[];
}

const NOTHING: Fired = { ids: [], ats: [] };

export class CompactWheel {
  private due = new Float64Array(0);
  private next = new Int32Array(0);
  private prev = new Int32Array(0);
  private readonly heads: Int32Array;
  /** (due, id) pairs, flattened, as a binary min-heap ordered by due then id. */
  private near: number[] = [];
  private slotStart: number;
  private count = 0;

  constructor(
    private readonly resolutionMs = 1000,
    private readonly slots = 4096,
    start = 0,
  ) {
    this.heads = new Int32Array(slots).fill(NONE);
    this.slotStart = Math.floor(start / resolutionMs) * resolutionMs;
  }

  get size(): number {
    return this.count;
  }

  get position(): number {
    return this.slotStart;
  }

  private slotIndex(at: number): number {
    return Math.floor(at / this.resolutionMs) % this.slots;
  }

  private ensure(id: number): void {
    if (id < this.due.length) return;
    let cap = Math.max(1024, this.due.length);
    while (cap <= id) cap *= 2;
    const due = new Float64Array(cap).fill(NaN);
    due.set(this.due);
    const next = new Int32Array(cap);
    next.set(this.next);
    const prev = new Int32Array(cap);
    prev.set(this.prev);
    this.due = due;
    this.next = next;
    this.prev = prev;
  }

  dueOf(id: number): number | undefined {
    const at = id < this.due.length ? (this.due[id] as number) : NaN;
    return Number.isNaN(at) ? undefined : at;
  }

  set(id: number, at: number): void {
    this.ensure(id);
    if (Number.isNaN(this.due[id] as number)) this.count++;
    else this.unlink(id);
    this.due[id] = at;
    if (at < this.slotStart + this.resolutionMs) this.pushNear(at, id);
    else this.link(id, this.slotIndex(at));
  }

  cancel(id: number): void {
    if (id >= this.due.length || Number.isNaN(this.due[id] as number)) return;
    this.unlink(id);
    this.due[id] = NaN;
    this.count--;
  }

  private link(id: number, bucket: number): void {
    const head = this.heads[bucket] as number;
    this.next[id] = head;
    this.prev[id] = NONE;
    if (head !== NONE) this.prev[head] = id;
    this.heads[bucket] = id;
  }

  /** Takes an armed id out of its bucket; one in the near heap is left there and recognised as stale. */
  private unlink(id: number): void {
    const p = this.prev[id] as number;
    if (p === IN_NEAR) return;
    const n = this.next[id] as number;
    if (p === NONE) this.heads[this.slotIndex(this.due[id] as number)] = n;
    else this.next[p] = n;
    if (n !== NONE) this.prev[n] = p;
    this.prev[id] = IN_NEAR;
  }

  /** Moves the ids of a bucket due before `limit` (or at it, when `inclusive`) into the near heap. */
  private collect(bucket: number, limit: number, inclusive = false): void {
    let id = this.heads[bucket] as number;
    while (id !== NONE) {
      const n = this.next[id] as number;
      const at = this.due[id] as number;
      if (at < limit || (inclusive && at === limit)) {
        this.unlink(id);
        this.pushNear(at, id);
      }
      id = n;
    }
  }

  /** Every timer due at or before `now`, earliest first (ties by id); they are forgotten. */
  advance(now: number): Fired {
    if (now < this.slotStart + this.resolutionMs && (this.near.length === 0 || (this.near[0] as number) > now)) return NOTHING;
    const fired: Fired = { ids: [], ats: [] };
    for (;;) {
      this.popDue(now, fired);
      const nextSlot = this.slotStart + this.resolutionMs;
      if (now < nextSlot) break;
      const turns = Math.floor((now - nextSlot) / this.resolutionMs);
      if (turns >= this.slots) {
        // A long jump: every bucket is due for a look; take what is due by now from each.
        this.slotStart = Math.floor(now / this.resolutionMs) * this.resolutionMs;
        for (let i = 0; i < this.slots; i++) this.collect(i, now, true);
        this.collect(this.slotIndex(this.slotStart), this.slotStart + this.resolutionMs);
        continue;
      }
      this.slotStart = nextSlot;
      this.collect(this.slotIndex(this.slotStart), this.slotStart + this.resolutionMs);
    }
    return fired;
  }

  private popDue(now: number, fired: Fired): void {
    const h = this.near;
    while (h.length > 0 && (h[0] as number) <= now) {
      const at = h[0] as number;
      const id = h[1] as number;
      this.popNear();
      if (this.due[id] !== at || this.prev[id] !== IN_NEAR) continue; // re-armed or cancelled since
      this.due[id] = NaN;
      this.count--;
      fired.ids.push(id);
      fired.ats.push(at);
    }
  }

  private pushNear(at: number, id: number): void {
    const h = this.near;
    this.prev[id] = IN_NEAR;
    h.push(at, id);
    let i = h.length / 2 - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  private popNear(): void {
    const h = this.near;
    const id = h.pop() as number;
    const at = h.pop() as number;
    if (h.length === 0) return;
    h[0] = at;
    h[1] = id;
    const n = h.length / 2;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.less(l, m)) m = l;
      if (r < n && this.less(r, m)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }

  private less(a: number, b: number): boolean {
    const h = this.near;
    const da = h[2 * a] as number;
    const db = h[2 * b] as number;
    return da < db || (da === db && (h[2 * a + 1] as number) < (h[2 * b + 1] as number));
  }

  private swap(a: number, b: number): void {
    const h = this.near;
    const at = h[2 * a] as number;
    const id = h[2 * a + 1] as number;
    h[2 * a] = h[2 * b] as number;
    h[2 * a + 1] = h[2 * b + 1] as number;
    h[2 * b] = at;
    h[2 * b + 1] = id;
  }

  /** Armed timers as [id, due] pairs (for snapshots). */
  entries(): [number, number][] {
    const out: [number, number][] = [];
    for (let id = 0; id < this.due.length; id++) {
      const at = this.due[id] as number;
      if (!Number.isNaN(at)) out.push([id, at]);
    }
    return out;
  }
}
