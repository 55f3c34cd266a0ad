import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DedupeWindow, HUB_SUBJECT, payloadHash } from './dedupe.js';

/** The hash of a message whose bytes are fixed by its seq (and a variant: another boot's content). */
const msg = (seq: number, variant = 0): number => payloadHash(Buffer.from(`{"ts":${variant},"seq":${seq}}`));

describe('DedupeWindow', () => {
  it('answers the same message seen recently as a duplicate, per subject', () => {
    const d = new DedupeWindow();
    expect(d.seen('h', 'a', 1, msg(1))).toBe(false);
    expect(d.seen('h', 'a', 2, msg(2))).toBe(false);
    expect(d.seen('h', 'a', 1, msg(1))).toBe(true);
    expect(d.seen('h', 'b', 1, msg(1))).toBe(false);
    expect(d.seen('h', 'a', 2, msg(2))).toBe(true);
    // The same appliance id under another hub, and the hub itself, are other subjects.
    expect(d.seen('h2', 'a', 1, msg(1))).toBe(false);
    expect(d.seen('h', HUB_SUBJECT, 1, msg(1))).toBe(false);
    expect(d.seen('h', HUB_SUBJECT, 1, msg(1))).toBe(true);
    expect(d.size).toBe(4);
  });

  it('takes a seq far below the highest, with its own content, as a counter reset, not a duplicate', () => {
    const d = new DedupeWindow();
    for (let s = 1000; s < 1100; s++) d.seen('h', 'a', s, msg(s));
    expect(d.seen('h', 'a', 1, msg(1, 1))).toBe(false);
    expect(d.seen('h', 'a', 1, msg(1, 1))).toBe(true);
    expect(d.seen('h', 'a', 2, msg(2, 1))).toBe(false);
  });

  it('takes a rebooted hub\'s counter, starting again with new content, as new data; a redelivery of the same bytes once as a duplicate', () => {
    const d = new DedupeWindow();
    const before = (seq: number): Buffer => Buffer.from(JSON.stringify({ ts: 1_000_000 + seq, seq, metrics: { t: 4 } }));
    const after = (seq: number): Buffer => Buffer.from(JSON.stringify({ ts: 2_000_000 + seq, seq, metrics: { t: 4 } }));
    for (let s = 1; s <= 30; s++) expect(d.seen('h', 'a', s, payloadHash(before(s)))).toBe(false);
    // The hub reboots: its counter starts at 1 again, with new timestamps.
    for (let s = 1; s <= 30; s++) expect(d.seen('h', 'a', s, payloadHash(after(s))), `seq ${s} after the reboot`).toBe(false);
    // A QoS 1 redelivery is the same bytes again, before or after the reboot.
    expect(d.seen('h', 'a', 5, payloadHash(after(5)))).toBe(true);
    expect(d.seen('h', 'a', 30, payloadHash(before(30)))).toBe(true);
    // A hub whose clock restarts too (no RTC): same seq and ts, other content, is still news.
    const sameTs = (v: number): Buffer => Buffer.from(JSON.stringify({ ts: 0, seq: 7, metrics: { t: v } }));
    expect(d.seen('h', 'b', 7, payloadHash(sameTs(4)))).toBe(false);
    expect(d.seen('h', 'b', 7, payloadHash(sameTs(5)))).toBe(false);
    expect(d.seen('h', 'b', 7, payloadHash(sameTs(5)))).toBe(true);
  });

  it('keeps a late redelivery of a pre-reboot message a duplicate while it is in the window', () => {
    const d = new DedupeWindow();
    const msg = (seq: number, boot: number): Buffer => Buffer.from(`{"ts":${boot * 1e6 + seq},"seq":${seq}}`);
    for (let s = 1000; s < 1010; s++) d.seen('h', 'a', s, payloadHash(msg(s, 1)));
    for (let s = 1; s <= 20; s++) expect(d.seen('h', 'a', s, payloadHash(msg(s, 2)))).toBe(false);
    expect(d.seen('h', 'a', 1009, payloadHash(msg(1009, 1)))).toBe(true);
    // Well after the window has moved on, the fast path comes back for the new counter.
    for (let s = 21; s <= 200; s++) expect(d.seen('h', 'a', s, payloadHash(msg(s, 2)))).toBe(false);
    expect(d.seen('h', 'a', 200, payloadHash(msg(200, 2)))).toBe(true);
  });

  it('hashes bytes, not strings: one flipped byte anywhere is other content', () => {
    const bytes = Buffer.from('{"ts":1795000000000,"seq":42,"type":"refrigerator","metrics":{"fridge_temp_c":4.25}}');
    const h = payloadHash(bytes);
    expect(payloadHash(Buffer.from(bytes))).toBe(h);
    for (let i = 0; i < bytes.length; i++) {
      const other = Buffer.from(bytes);
      other[i] = (other[i] as number) ^ 1;
      expect(payloadHash(other)).not.toBe(h);
    }
  });

  it('matches a model keeping the last 64 (seq, content) of each subject', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('a', 'b'), fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 1 })), { maxLength: 400 }), (events) => {
        const d = new DedupeWindow();
        const recent = new Map<string, string[]>();
        for (const [subject, seq, variant] of events) {
          const mine = recent.get(subject) ?? [];
          const expected = mine.includes(`${seq}/${variant}`);
          expect(d.seen('h', subject, seq, msg(seq, variant))).toBe(expected);
          if (!expected) {
            mine.push(`${seq}/${variant}`);
            if (mine.length > 64) mine.shift();
            recent.set(subject, mine);
          }
        }
      }),
    );
  });
});
