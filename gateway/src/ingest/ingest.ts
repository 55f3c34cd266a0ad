import { decodeUplink, type NoticePayload, type UplinkMessage } from '@forecare/firmware-contracts';
import type { Clock } from '../clock.js';
import { REJECT_NOTICE_CODES } from '../errors.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import { DedupeWindow, HUB_SUBJECT, payloadHash } from './dedupe.js';
import type { Journal } from './journal.js';

/** Sends a notice to a hub's notices topic (the broker implements it). */
export type NoticeSender = (hubId: string, notice: NoticePayload) => void;

export interface Publisher {
  readonly hubId: string;
  readonly clientId: string | null;
}

/**
 * decode → validate (firmware-contracts) → dedupe by (subject, seq, payload bytes) → journal → `done`.
 * `done` is what lets aedes send the PUBACK, so it is called only once the journal (or the
 * dead-letter table) has the message. A bad payload is acknowledged too — a poison message
 * must not be redelivered forever — after it is dead-lettered and answered with a notice.
 */
export class Ingest {
  private readonly dedupe = new DedupeWindow();

  constructor(
    private readonly journal: Journal,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    private readonly sendNotice: NoticeSender,
  ) {}

  /**
   * `done(err)` lets the PUBACK go; `refused` is true when the message was dead-lettered or
   * did not belong to its publisher, so the broker forwards it to nobody and retains nothing.
   */
  accept(publisher: Publisher, topic: string, payload: Buffer, done: (err?: Error, refused?: boolean) => void): void {
    const result = decodeUplink(topic, payload);
    if (!result.ok) {
      const hubId = result.topic?.hubId ?? publisher.hubId;
      this.metrics.rejects.inc({ reason: result.reason });
      this.metrics.deadLetters.inc({ reason: result.reason });
      this.logger.warn({ hubId, clientId: publisher.clientId, topic, reason: result.reason, errors: result.errors.slice(0, 3) }, 'uplink message rejected');
      this.journal.appendDeadLetter({ hubId, clientId: publisher.clientId, topic, reason: result.reason, errors: result.errors, payload }, (err) => {
        if (err === undefined) {
          const seq = seqOf(payload);
          this.sendNotice(hubId, {
            ts: this.clock.now(),
            kind: 'rejected',
            code: REJECT_NOTICE_CODES[result.reason],
            reason: result.errors[0]?.message ?? result.reason,
            topic,
            ...(seq !== undefined ? { seq } : {}),
            errors: result.errors.map((e) => ({ pointer: e.pointer, message: e.message })),
          });
        }
        done(err, true);
      });
      return;
    }
    const message = result.message;
    if (message.hubId !== publisher.hubId) {
      // The broker's ACL already keeps hubs to their prefix; this guards service clients.
      this.metrics.rejects.inc({ reason: 'hub-mismatch' });
      done(undefined, true);
      return;
    }
    if (this.duplicate(message, payload)) {
      this.metrics.duplicates.inc();
      done();
      return;
    }
    // Counted by kind in forecare_messages_in_total when the batch commits.
    this.journal.append(message, payload, done);
  }

  /** Re-arms dedupe after a restart from the journal's recent tail (the journal keeps each message's bytes). */
  remember(message: UplinkMessage, payload: Buffer): void {
    this.duplicate(message, payload);
  }

  /**
   * The same message again: same (appliance, seq), or (hub, seq) for heartbeats, and the same
   * bytes — a rebooted hub's counter with new content is new data. Status messages carry no
   * seq. Records the message.
   */
  private duplicate(message: UplinkMessage, payload: Buffer): boolean {
    switch (message.kind) {
      case 'status':
        return false;
      case 'heartbeat':
        return this.dedupe.seen(message.hubId, HUB_SUBJECT, message.payload.seq, payloadHash(payload));
      case 'telemetry':
      case 'fault':
      case 'inventory':
        return this.dedupe.seen(message.hubId, message.applianceId, message.payload.seq, payloadHash(payload));
    }
  }
}

/** Best effort: the seq of a rejected payload, to help the hub match the notice. */
function seqOf(payload: Buffer): number | undefined {
  const m = /"seq"\s*:\s*(\d{1,15})/.exec(payload.subarray(0, 4096).toString('latin1'));
  return m?.[1] !== undefined ? Number(m[1]) : undefined;
}
