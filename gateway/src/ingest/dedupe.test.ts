import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DedupeWindow, HUB_SUBJECT } from './dedupe.js';

describe('DedupeWindow', () => {
  it('answers a seq seen recently as a duplicate, per subject', () => {
    const d = new DedupeWindow();
    expect(d.seen('h', 'a', 1)).toBe(false);
    expect(d.seen('h', 'a', 2)).toBe(false);
    expect(d.seen('h', 'a', 1)).toBe(true);
    expect(d.seen('h', 'b', 1)).toBe(false);
    expect(d.seen('h', 'a', 2)).toBe(true);
    // The same appliance id under another hub, and the hub itself, are other subjects.
    expect(d.seen('h2', 'a', 1)).toBe(false);
    expect(d.seen('h', HUB_SUBJECT, 1)).toBe(false);
    expect(d.seen('h', HUB_SUBJECT, 1)).toBe(true);
    expect(d.size).toBe(4);
  });

  it('takes a seq far below the highest as a counter reset, not a duplicate', () => {
    const d = new DedupeWindow();
    for (let s = 1000; s < 1100; s++) d.seen('h', 'a', s);
    expect(d.seen('h', 'a', 1)).toBe(false);
    expect(d.seen('h', 'a', 1)).toBe(true);
    expect(d.seen('h', 'a', 2)).toBe(false);
  });

  it('matches a model keeping the last 64 seqs of each subject (no resets)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('a', 'b'), fc.integer({ min: 0, max: 200 })), { maxLength: 400 }), (events) => {
        const d = new DedupeWindow();
        const recent = new Map<string, number[]>();
        const highest = new Map<string, number>();
        for (const [subject, seq] of events) {
          const max = highest.get(subject) ?? -Infinity;
          if (seq + 256 < max) return; // a reset: covered above
          const mine = recent.get(subject) ?? [];
          const expected = mine.includes(seq);
          expect(d.seen('h', subject, seq)).toBe(expected);
          if (!expected) {
            mine.push(seq);
            if (mine.length > 64) mine.shift();
            recent.set(subject, mine);
            highest.set(subject, Math.max(max, seq));
          }
        }
      }),
    );
  });
});
