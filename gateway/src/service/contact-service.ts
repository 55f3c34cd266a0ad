import type { CustomerRow } from '../customers/customer-registry.js';
import type { Logger } from '../log.js';
import { decideContact, type ContactPurpose } from '../notifications/policy.js';
import type { NewTask, Outbox } from '../outbox/outbox.js';

const DAY_MS = 86_400_000;

/** One contact asked for: by the service loop (an alarm), a follow-up (a no-answer) or the notifications API. */
export interface ContactRequest {
  /** What the task carries; its id is derived from `cause` unless `taskId` is given. */
  readonly task: Omit<NewTask, 'channel' | 'urgency' | 'notBefore' | 'purpose'> & { readonly purpose: ContactPurpose };
  readonly customer: CustomerRow | undefined;
  readonly at: number;
  /** A follow-up's own id (the next in its chain) and channel; its chain already counted toward the daily cap. */
  readonly followUp?: { readonly taskId: string; readonly channel: string; readonly urgency: 'urgent' | 'normal' };
}

/** What became of it. `written` is false when the same task (its id) was already decided. */
export interface ContactResult {
  readonly send: boolean;
  readonly written: boolean;
  readonly channel: string;
  readonly reason?: string;
  readonly notBefore?: number;
}

/**
 * The one path from "someone should be contacted" to the outbox: decide (phone known good, a
 * customer linked, consent, daily cap, quiet hours), then enqueue the task or record it as
 * suppressed with the reason. Called inside the caller's transaction; the caller wakes the
 * delivery worker after its commit when `send && written` (woken before it, the worker would
 * find nothing yet).
 */
export class ContactService {
  constructor(
    private readonly outbox: Outbox,
    private readonly logger: Logger,
  ) {}

  request(req: ContactRequest): ContactResult {
    const { task, customer, at, followUp } = req;
    if (customer?.phoneInvalidAt != null) return this.suppress(req, 'none', 'phone number reported wrong by the contact center');
    if (customer === undefined) {
      this.logger.warn({ hubId: task.hubId, applianceId: task.applianceId, purpose: task.purpose }, 'contact suppressed: no customer linked');
      return this.suppress(req, 'none', 'no customer linked to this hub or appliance');
    }
    const sentLast24h = followUp !== undefined ? 0 : this.outbox.countForCustomerSince(customer.customerId, at - DAY_MS);
    const decision = decideContact(followUp !== undefined ? { ...customer, channel: followUp.channel } : customer, task.purpose, at, sentLast24h);
    if (!decision.send) {
      this.logger.info({ customerId: customer.customerId, purpose: task.purpose, reason: decision.reason }, 'contact suppressed by policy');
      return this.suppress(req, decision.channel, decision.reason ?? 'suppressed', decision.notBefore, decision.urgency);
    }
    const full: NewTask = { ...task, channel: decision.channel, urgency: followUp?.urgency ?? decision.urgency, notBefore: decision.notBefore };
    const written = followUp !== undefined ? this.outbox.enqueueWithId(followUp.taskId, full) : this.outbox.enqueue(full);
    return { send: true, written, channel: decision.channel, notBefore: decision.notBefore };
  }

  /** A follow-up that may not be sent leaves no row (its chain ends); any other is recorded with its reason. */
  private suppress(req: ContactRequest, channel: string, reason: string, notBefore?: number, urgency: 'urgent' | 'normal' = 'normal'): ContactResult {
    const written = req.followUp === undefined && this.outbox.suppress({ ...req.task, channel, urgency, ...(notBefore !== undefined ? { notBefore } : {}) }, reason);
    return { send: false, written, channel, reason, ...(notBefore !== undefined ? { notBefore } : {}) };
  }
}
