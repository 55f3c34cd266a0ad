/**
 * Drops QoS 1 redeliveries and hub-side duplicates. A duplicate is the same message again:
 * the same subject, the same seq AND the same bytes (DESIGN: "same seq *and* same content").
 * The subject is the appliance (appliance topics) or the hub (hub topics). Each subject
 * remembers its last WINDOW messages as (seq, 32-bit hash of the payload) in a small ring.
 *
 * A hub that reboots starts its counters again with new timestamps and readings: its seqs
 * are in the ring but their hashes are not, so it is new data — a fault at seq 5 after a
 * reboot is never silenced. A redelivery of a message from before the reboot still matches
 * its own (seq, hash) while it is in the window; a clock-skewed hub (same seq and ts, other
 * readings) or late buffered data (old seqs, their own bytes) is judged the same way.
 */
const WINDOW = 64;

interface SubjectWindow {
  /** Highest seq in the ring, or above it (a stale bound only costs a scan, never a wrong answer). */
  max: number;
  next: number;
  readonly seqs: Float64Array;
  readonly hashes: Int32Array;
}

/** The subject of a hub's own topics (heartbeat): no appliance id is empty. */
export const HUB_SUBJECT = '';

/**
 * FNV-1a over the payload's bytes, 32 bits: no allocation, a multiply per byte. A collision
 * only matters between two messages of one subject with the same seq in the window (a
 * rebooted hub's message against its pre-reboot twin): about one in four billion.
 */
export function payloadHash(payload: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < payload.length; i++) h = Math.imul(h ^ (payload[i] as number), 0x01000193);
  return h | 0;
}

export class DedupeWindow {
  /** By hub, then by appliance id (HUB_SUBJECT: the hub itself): the ids' own strings, no key built per message. */
  private readonly hubs = new Map<string, Map<string, SubjectWindow>>();
  private count = 0;

  /**
   * true when (subject, seq, hash) was seen recently; otherwise records it and answers false.
   * The subject is an appliance of the hub, or the hub itself (`applianceId` HUB_SUBJECT);
   * `hash` is payloadHash of the message's bytes.
   */
  seen(hubId: string, applianceId: string, seq: number, hash: number): boolean {
    let subjects = this.hubs.get(hubId);
    if (subjects === undefined) {
      subjects = new Map();
      this.hubs.set(hubId, subjects);
    }
    let w = subjects.get(applianceId);
    if (w === undefined) {
      w = { max: seq, next: 0, seqs: new Float64Array(WINDOW).fill(-1), hashes: new Int32Array(WINDOW) };
      subjects.set(applianceId, w);
      this.count++;
    } else if (seq <= w.max) {
      // Above the highest seq in the ring it cannot be there (the usual case: no scan).
      // The scan also finds the ring's true highest seq, so after a counter reset the bound
      // follows the new counter once the old seqs have left the ring.
      const seqs = w.seqs;
      let max = seq;
      for (let i = 0; i < WINDOW; i++) {
        const s = seqs[i] as number;
        if (s === seq && w.hashes[i] === hash) return true;
        if (s > max && i !== w.next) max = s;
      }
      w.max = max;
    }
    w.seqs[w.next] = seq;
    w.hashes[w.next] = hash;
    w.next = (w.next + 1) % WINDOW;
    if (seq > w.max) w.max = seq;
    return false;
  }

  /** Subjects remembered. */
  get size(): number {
    return this.count;
  }
}
