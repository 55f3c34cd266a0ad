import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CompactWheel } from './compact-wheel.js';
import { ApplianceTable, SEQ_WINDOW, TypeColumns } from './state.js';
import { TimingWheel } from './timing-wheel.js';

describe('CompactWheel', () => {
  it('fires each armed id once, at its exact due time, earliest first', () => {
    const w = new CompactWheel(1000, 8, 0);
    w.set(3, 2500);
    w.set(1, 2500);
    w.set(2, 900);
    w.set(4, 20_000); // more than one turn of the wheel away
    expect(w.advance(899)).toEqual({ ids: [], ats: [] });
    expect(w.advance(2600)).toEqual({ ids: [2, 1, 3], ats: [900, 2500, 2500] });
    expect(w.size).toBe(1);
    expect(w.advance(19_999).ids).toEqual([]);
    expect(w.advance(20_000)).toEqual({ ids: [4], ats: [20_000] });
    expect(w.size).toBe(0);
  });

  it('re-arming moves a timer and leaves nothing behind; cancel forgets it', () => {
    const w = new CompactWheel(1000, 16, 0);
    for (let t = 0; t < 100; t++) w.set(7, 5000 + t * 100); // a heartbeat re-arming the offline timer
    w.set(8, 3000);
    w.cancel(8);
    expect(w.size).toBe(1);
    expect(w.dueOf(7)).toBe(14_900);
    expect(w.advance(14_899).ids).toEqual([]);
    expect(w.advance(15_000)).toEqual({ ids: [7], ats: [14_900] });
    expect(w.entries()).toEqual([]);
  });

  it('agrees with the string-keyed TimingWheel on any sequence of sets, cancels and advances', () => {
    const op = fc.oneof(
      fc.record({ op: fc.constant('set' as const), id: fc.nat(20), at: fc.integer({ min: 0, max: 60_000 }) }),
      fc.record({ op: fc.constant('cancel' as const), id: fc.nat(20) }),
      fc.record({ op: fc.constant('advance' as const), dt: fc.integer({ min: 0, max: 20_000 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const a = new CompactWheel(100, 16, 0);
        const b = new TimingWheel(100, 16, 0);
        const key = (id: number): string => String(id).padStart(3, '0');
        let now = 0;
        for (const o of ops) {
          if (o.op === 'set') {
            a.set(o.id, Math.max(now, o.at));
            b.set(key(o.id), Math.max(now, o.at));
          } else if (o.op === 'cancel') {
            a.cancel(o.id);
            b.cancel(key(o.id));
          } else {
            now += o.dt;
            const fa = a.advance(now);
            const fb = b.advance(now);
            expect(fa.ids.map((id, i) => [key(id), fa.ats[i]])).toEqual(fb.map((f) => [f.key, f.at]));
          }
          expect(a.size).toBe(b.size);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('ApplianceTable seq window', () => {
  it('drops a repeat inside the window, accepts late and reordered seqs once, and takes a far lower seq as a counter reset', () => {
    const t = new ApplianceTable();
    const a = t.add('h/a1', 'a1', 0, 0, 0, 0);
    expect([5, 3, 5, 4, 3, 10, 4].map((s) => t.seen(a, s))).toEqual([false, false, true, false, true, false, true]);
    expect(t.seen(a, 10 - SEQ_WINDOW + 1)).toBe(false);
    expect(t.seen(a, 10 - SEQ_WINDOW + 1)).toBe(true);
    expect(t.seen(a, 1)).toBe(false); // late, but inside the window: news once
    expect(t.seen(a, 1)).toBe(true);
    // The hub rebooted: seq 1 far below 100 is news, and the window restarts from it.
    expect(t.seen(a, 100)).toBe(false);
    expect(t.seen(a, 1)).toBe(false);
    expect(t.seen(a, 1)).toBe(true);
    expect(t.seqs(a)).toEqual([1]);
  });

  it('remembers exactly the seqs it reports, so a snapshot replays the same window', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 80 }), { maxLength: 60 }), (seqs) => {
        const t = new ApplianceTable();
        const a = t.add('h/a', 'a', 0, 0, 0, 0);
        for (const s of seqs) t.seen(a, s);
        const u = new ApplianceTable();
        const b = u.add('h/a', 'a', 0, 0, 0, 0);
        for (const s of t.seqs(a)) u.seen(b, s);
        for (let s = 0; s <= 90; s++) expect(u.seen(b, s)).toBe(t.seen(a, s));
      }),
    );
  });
});

describe('TypeColumns', () => {
  it('keeps the latest metric and state values per row across growth, booleans as booleans', () => {
    const c = new TypeColumns();
    const rows = Array.from({ length: 3000 }, () => c.addRow());
    c.setMetric(rows[0] as number, 'temp', 4.25);
    c.setMetric(rows[2999] as number, 'door_open', true);
    c.setState(rows[2999] as number, 'mode', 'eco');
    for (let i = 0; i < 3000; i++) c.addRow(); // grow again
    expect(c.metricsOf(0)).toEqual({ temp: 4.25 });
    expect(c.metricsOf(2999)).toEqual({ door_open: true });
    expect(c.stateOf(2999)).toEqual({ mode: 'eco' });
    expect(c.metricsOf(1)).toEqual({});
    expect(c.metric(0, 'door_open')).toBeUndefined();
  });
});
