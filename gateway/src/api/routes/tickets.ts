import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { lookupFault, type ApplianceType } from '@forecare/firmware-contracts';
import type { AlarmEvent } from '@forecare/rules';
import { GatewayError } from '../../errors.js';
import { TICKET_STATUSES, type TicketStatus } from '../../tickets/lifecycle.js';
import { RESOLUTION_CODES, actionsFor, refusePastSlot } from '../../tickets/ticket-actions.js';
import { TicketQueue } from '../../tickets/ticket-queue.js';
import { SIGNED_IN, allow } from '../auth.js';
import type { ApiPlugin } from '../plugin.js';
import { changeErrors, errors, IdParam, ItemsOf, signedInErrors, Strict, StringEnum } from '../schemas.js';
import { OpenedTicketModel, TicketModel, TicketPageModel } from '../ticket-models.js';
import { taskView } from './contacts.js';
import { ticketWorkRoutes } from './tickets-work.js';

const list = (s: string | undefined): string[] | undefined => (s === undefined || s === '' ? undefined : s.split(',').map((x) => x.trim()).filter((x) => x !== ''));
const DESK = allow('dispatcher', 'manager', 'admin');
const opt = Type.Optional;

/** /api/v1/tickets: repair tickets; the dispatcher's work on them is in tickets-work.ts, the queue has its own prefix. */
export const ticketRoutes: ApiPlugin = async (app, { ctx }) => {
  const queue = new TicketQueue(ctx.store, () => ctx.clock.now(), () => ctx.tickets.slaPolicy.assignWithinMs);

  app.post('', {
    config: DESK,
    schema: {
      tags: ['tickets'],
      operationId: 'openTicket',
      summary: 'Open a ticket by hand (or from a flow)',
      description: 'Like alarm tickets, one open ticket per appliance and fault class: a repeat attaches (200), a new one is opened (201).',
      body: Strict({
        hubId: Type.String({ minLength: 1, maxLength: 64 }),
        applianceId: opt(Type.String({ minLength: 1, maxLength: 64 })),
        faultCode: opt(Type.String({ minLength: 1, maxLength: 32 })),
        faultClass: opt(Type.String({ minLength: 1, maxLength: 64 })),
        title: Type.String({ minLength: 1, maxLength: 200 }),
        severity: opt(StringEnum(['info', 'warning', 'critical', 'safety'])),
        by: opt(Type.String({ minLength: 1, maxLength: 100 })),
        note: opt(Type.String({ maxLength: 2000 })),
      }),
      response: { 200: OpenedTicketModel, 201: OpenedTicketModel, ...errors },
    },
  }, async (request, reply) => {
    const b = request.body;
    if (ctx.hubs.get(b.hubId) === undefined) throw new GatewayError('GW_ERR_HUB_UNKNOWN', `hub ${b.hubId} is not provisioned`);
    const appliance = b.applianceId === undefined ? undefined : ctx.customers.appliance(b.hubId, b.applianceId);
    if (b.applianceId !== undefined && appliance === undefined) throw new GatewayError('GW_ERR_APPLIANCE_UNKNOWN', `appliance ${b.applianceId} is not registered under hub ${b.hubId}`);
    const type = appliance?.type as ApplianceType | undefined;
    const spec = b.faultCode !== undefined && type !== undefined ? lookupFault(type, b.faultCode) : undefined;
    const faultClass = b.faultClass ?? spec?.faultClass ?? b.faultCode ?? 'manual';
    const now = ctx.clock.now();
    const event: AlarmEvent = {
      transition: 'raised',
      alarmKey: `${b.applianceId !== undefined ? `${b.hubId}/${b.applianceId}` : b.hubId}|manual|${faultClass}`,
      // A ticket's fault class comes from the fault, else from the rule: here the caller's class.
      ruleId: b.faultCode !== undefined ? 'manual' : faultClass,
      ruleVersion: 0,
      hubId: b.hubId,
      applianceId: b.applianceId,
      applianceType: type,
      key: faultClass,
      severity: b.severity ?? spec?.severity ?? 'warning',
      raises: ['ticket'],
      title: b.title,
      at: now,
      count: 1,
      firstSeen: now,
      lastSeen: now,
      level: 0,
      fault: b.faultCode !== undefined ? { code: b.faultCode, faultClass } : undefined,
      facts: { openedBy: actorOf(request, b.by), ...(b.note !== undefined ? { note: b.note } : {}) },
    };
    const result = ctx.store.transaction(() => ctx.tickets.openOrAttach(event));
    ctx.bus.publish({ type: 'ticket', data: { ticketId: result.ticket.ticketId, status: result.ticket.status, outcome: result.outcome } });
    return reply.code(result.outcome === 'opened' ? 201 : 200).send({ ...ctx.tickets.get(result.ticket.ticketId), outcome: result.outcome });
  });

  app.get('', {
    config: SIGNED_IN,
    schema: {
      tags: ['tickets'],
      operationId: 'listTickets',
      summary: 'Tickets, newest first, filtered',
      description: 'Filter by status (comma list), model, fault (class or code), region, customer, hub and appliance, age (opened more than olderThanMs or less than newerThanMs ago).',
      querystring: Type.Object({
        status: opt(Type.String({ maxLength: 200 })),
        model: opt(Type.String({ maxLength: 100 })),
        fault: opt(Type.String({ maxLength: 64 })),
        region: opt(Type.String({ maxLength: 100 })),
        customerId: opt(Type.String({ maxLength: 128 })),
        hubId: opt(Type.String({ maxLength: 128 })),
        applianceId: opt(Type.String({ maxLength: 128 })),
        olderThanMs: opt(Type.Integer({ minimum: 0 })),
        newerThanMs: opt(Type.Integer({ minimum: 0 })),
        limit: opt(Type.Integer({ minimum: 1, maximum: 1000 })),
      }),
      response: { 200: ItemsOf(TicketModel), ...signedInErrors },
    },
  }, async (request) => {
    const q = request.query;
    return { items: ctx.tickets.list({ ...q, status: list(q.status) }) };
  });

  app.get('/:ticketId', {
    config: SIGNED_IN,
    schema: {
      tags: ['tickets'],
      operationId: 'getTicket',
      summary: 'One ticket with its history, alarm history and contact attempts',
      description: "Customer and appliance as the registry has them now; the actions the caller may take in the ticket's state.",
      params: IdParam('ticketId'),
      response: { 200: TicketPageModel, ...errors },
    },
  }, async (request) => {
    const ticket = ctx.tickets.get(request.params.ticketId);
    const contacts = ctx.outbox.list({ ticketId: ticket.ticketId }).map((t) => ({ ...taskView(t), attempts: ctx.outbox.attempts(t.taskId) }));
    // The auto-filled snapshot stays as the fallback; what the registry says now wins (a customer linked later, a corrected model).
    const current = queue.current(ticket.ticketId);
    const details = { ...ticket.details, customer: current?.customer ?? ticket.details.customer, appliance: current?.appliance ?? ticket.details.appliance };
    const actions = request.caller === undefined ? [] : actionsFor(ticket.status as TicketStatus, request.caller.role);
    return { ...ticket, details, actions: [...actions], resolutionCodes: [...RESOLUTION_CODES], events: ctx.tickets.events(ticket.ticketId), alarmHistory: ctx.alarms.history(ticket.alarmKey), contacts };
  });

  app.post('/:ticketId/transition', {
    config: DESK,
    schema: {
      tags: ['tickets'],
      operationId: 'transitionTicket',
      summary: 'Move a ticket (assign, schedule, start, resolve, cancel…), recorded with who and when',
      params: IdParam('ticketId'),
      body: Strict({
        to: StringEnum(TICKET_STATUSES),
        by: opt(Type.String({ minLength: 1, maxLength: 100 })),
        note: opt(Type.String({ maxLength: 2000 })),
        assignee: opt(Type.String({ maxLength: 100 })),
        team: opt(Type.String({ maxLength: 100 })),
        slotStart: opt(Type.Integer({ minimum: 0 })),
        slotEnd: opt(Type.Integer({ minimum: 0 })),
        promisedBy: opt(Type.Integer({ minimum: 0 })),
      }),
      response: { 200: TicketModel, ...changeErrors },
    },
  }, async (request) => {
    const { to, by, note, ...patch } = request.body;
    if (to === 'scheduled' && patch.slotStart !== undefined) refusePastSlot(patch.slotStart, queue.current(request.params.ticketId)?.customer?.timeZone ?? 'UTC', ctx.clock.now());
    const ticket = ctx.tickets.transition(request.params.ticketId, to, actorOf(request, by), note, patch);
    ctx.bus.publish({ type: 'ticket', data: { ticketId: ticket.ticketId, status: ticket.status, outcome: 'moved' } });
    return ticket;
  });

  await app.register(ticketWorkRoutes, { ctx, queue });
};

/**
 * Who a change is recorded under: a signed-in console user is always themselves; only the
 * admin token (automation such as a Node-RED flow) may name the person it acts for in `by`.
 */
function actorOf(request: FastifyRequest, by: string | undefined): string {
  const who = request.caller;
  if (who !== undefined && who.username !== 'admin-token') return who.username;
  return by ?? who?.username ?? 'api';
}
