/**
 * Drops QoS 1 redeliveries and hub-side duplicates by (subject, seq), where the subject is
 * the appliance (appliance topics) or the hub (hub topics). Each subject remembers its last
 * WINDOW seqs in a small ring; a seq far below the highest one seen is taken as a counter
 * reset (the hub rebooted), not as a duplicate, so a reset never silences an appliance.
 */
const WINDOW = 64;

interface SubjectWindow {
  max: number;
  next: number;
  readonly ring: Float64Array;
}

/** The subject of a hub's own topics (heartbeat): no appliance id is empty. */
export const HUB_SUBJECT = '';

export class DedupeWindow {
  /** By hub, then by appliance id (HUB_SUBJECT: the hub itself): the ids' own strings, no key built per message. */
  private readonly hubs = new Map<string, Map<string, SubjectWindow>>();
  private count = 0;

  /**
   * true when (subject, seq) was seen recently; otherwise records it and answers false. The
   * subject is an appliance of the hub, or the hub itself (`applianceId` HUB_SUBJECT).
   */
  seen(hubId: string, applianceId: string, seq: number): boolean {
    let subjects = this.hubs.get(hubId);
    if (subjects === undefined) {
      subjects = new Map();
      this.hubs.set(hubId, subjects);
    }
    let w = subjects.get(applianceId);
    if (w === undefined) {
      w = { max: seq, next: 0, ring: new Float64Array(WINDOW).fill(-1) };
      subjects.set(applianceId, w);
      this.count++;
    } else if (seq <= w.max) {
      // Above the highest seq seen it cannot be in the ring (the usual case: no scan).
      if (seq + WINDOW * 4 < w.max) {
        // counter reset: start over from this seq
        w.ring.fill(-1);
        w.max = seq;
      } else {
        for (let i = 0; i < WINDOW; i++) if (w.ring[i] === seq) return true;
      }
    }
    w.ring[w.next] = seq;
    w.next = (w.next + 1) % WINDOW;
    if (seq > w.max) w.max = seq;
    return false;
  }

  /** Subjects remembered. */
  get size(): number {
    return this.count;
  }
}
