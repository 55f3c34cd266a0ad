/**
 * Timers by name (threshold durations, escalations): a `CompactWheel` — the hashed timing
 * wheel with an exact near heap that keeps every appliance's silence timers — with names
 * mapped to dense ids (freed ids are reused). O(1) set, cancel and re-arm; `advance` hands
 * out what is due by due time, ties by name, so snapshots and replays fire alike.
 */
import { CompactWheel } from './compact-wheel.js';

/** What `advance` hands back when nothing is due (it runs before every input): shared, never modified. */
const NONE_DUE: readonly { key: string; at: number }[] = Object.freeze([]);

export class TimingWheel {
  private readonly wheel: CompactWheel;
  private readonly ids = new Map<string, number>();
  private readonly keys: string[] = [];
  private readonly free: number[] = [];

  constructor(resolutionMs = 1000, slots = 4096, start = 0) {
    this.wheel = new CompactWheel(resolutionMs, slots, start);
  }

  get size(): number {
    return this.ids.size;
  }

  /** Where the wheel stands (for snapshots). */
  get position(): number {
    return this.wheel.position;
  }

  set(key: string, at: number): void {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.free.pop() ?? this.keys.length;
      this.ids.set(key, id);
      this.keys[id] = key;
    }
    this.wheel.set(id, at);
  }

  cancel(key: string): void {
    const id = this.ids.get(key);
    if (id === undefined) return;
    this.wheel.cancel(id);
    this.release(key, id);
  }

  dueOf(key: string): number | undefined {
    const id = this.ids.get(key);
    return id === undefined ? undefined : this.wheel.dueOf(id);
  }

  private release(key: string, id: number): void {
    this.ids.delete(key);
    this.free.push(id);
  }

  /** Every timer due at or before `now`, earliest first (ties by name); they are forgotten. */
  advance(now: number): readonly { key: string; at: number }[] {
    const f = this.wheel.advance(now);
    if (f.ids.length === 0) return NONE_DUE;
    const fired = f.ids.map((id, i) => ({ key: this.keys[id] as string, at: f.ats[i] as number }));
    f.ids.forEach((id, i) => this.release((fired[i] as { key: string }).key, id));
    return fired.sort((a, b) => a.at - b.at || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** Live timers as [name, due] pairs (for snapshots). */
  entries(): [string, number][] {
    return [...this.ids].map(([key, id]) => [key, this.wheel.dueOf(id) as number]);
  }
}
