import type { FastifyInstance, FastifyRequest } from 'fastify';
import { lookupFault, type ApplianceType, type Severity } from '@forecare/firmware-contracts';
import type { AlarmEvent } from '@forecare/rules';
import type { GatewayContext } from '../../context.js';
import { GatewayError } from '../../errors.js';
import { SIGNED_IN, allow } from '../auth.js';
import { TICKET_STATUSES, type TicketStatus } from '../../tickets/lifecycle.js';
import { anyObject, errors, idParam, itemsOf } from '../schemas.js';
import { TicketQueue } from '../../tickets/ticket-queue.js';
import { RESOLUTION_CODES, actionsFor, refusePastSlot } from '../../tickets/ticket-actions.js';

const list = (s: string | undefined): string[] | undefined => (s === undefined || s === '' ? undefined : s.split(',').map((x) => x.trim()).filter((x) => x !== ''));

interface TransitionBody {
  to: TicketStatus;
  by?: string;
  note?: string;
  assignee?: string;
  team?: string;
  slotStart?: number;
  slotEnd?: number;
  promisedBy?: number;
}

interface OpenBody {
  hubId: string;
  applianceId?: string;
  faultCode?: string;
  faultClass?: string;
  title: string;
  severity?: Severity;
  by?: string;
  note?: string;
}

export function registerTicketRoutes(app: FastifyInstance, ctx: GatewayContext): void {
  const queue = new TicketQueue(ctx.store, () => ctx.clock.now(), () => ctx.tickets.slaPolicy.assignWithinMs);
  app.post<{ Body: OpenBody }>('/api/v1/tickets', { config: allow('dispatcher', 'manager', 'admin'),
    schema: {
      tags: ['tickets'],
      summary: 'Open a ticket by hand (or from a flow); like alarm tickets, one open ticket per appliance and fault class — a repeat attaches',
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['hubId', 'title'],
        properties: {
          hubId: { type: 'string', minLength: 1, maxLength: 64 },
          applianceId: { type: 'string', minLength: 1, maxLength: 64 },
          faultCode: { type: 'string', minLength: 1, maxLength: 32 },
          faultClass: { type: 'string', minLength: 1, maxLength: 64 },
          title: { type: 'string', minLength: 1, maxLength: 200 },
          severity: { type: 'string', enum: ['info', 'warning', 'critical', 'safety'] },
          by: { type: 'string', minLength: 1, maxLength: 100 },
          note: { type: 'string', maxLength: 2000 },
        },
      },
      response: { 200: anyObject, 201: anyObject, ...errors },
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


  app.get<{ Querystring: { status?: string; model?: string; fault?: string; region?: string; customerId?: string; hubId?: string; applianceId?: string; olderThanMs?: number; newerThanMs?: number; limit?: number } }>('/api/v1/tickets', { config: SIGNED_IN,
    schema: {
      tags: ['tickets'],
      summary: 'Tickets, newest first; filter by status (comma list), model, fault (class or code), region, customer, hub and appliance, age (opened more than olderThanMs or less than newerThanMs ago)',
      querystring: {
        type: 'object',
        properties: {
          status: { type: 'string' },
          model: { type: 'string' },
          fault: { type: 'string' },
          region: { type: 'string' },
          customerId: { type: 'string' },
          hubId: { type: 'string' },
          applianceId: { type: 'string' },
          olderThanMs: { type: 'integer', minimum: 0 },
          newerThanMs: { type: 'integer', minimum: 0 },
          limit: { type: 'integer', minimum: 1, maximum: 1000 },
        },
      },
      response: { 200: itemsOf(), ...errors },
    },
  }, async (request) => {
    const q = request.query;
    return { items: ctx.tickets.list({ ...q, status: list(q.status) }) };
  });

  app.get<{ Params: { ticketId: string } }>('/api/v1/tickets/:ticketId', { config: SIGNED_IN,
    schema: { tags: ['tickets'], summary: "One ticket with its history, alarm history and contact attempts; customer and appliance as the registry has them now; the actions the caller may take in the ticket's state", params: idParam('ticketId'), response: { 200: anyObject, ...errors } },
  }, async (request) => {
    const ticket = ctx.tickets.get(request.params.ticketId);
    const contacts = ctx.outbox.list({ ticketId: ticket.ticketId }).map((t) => ({ ...t, payload: JSON.parse(t.payload) as unknown, attempts: ctx.outbox.attempts(t.taskId) }));
    // The auto-filled snapshot stays as the fallback; what the registry says now wins (a customer linked later, a corrected model).
    const current = queue.current(ticket.ticketId);
    const details = { ...ticket.details, customer: current?.customer ?? ticket.details.customer, appliance: current?.appliance ?? ticket.details.appliance };
    const actions = request.caller === undefined ? [] : actionsFor(ticket.status as TicketStatus, request.caller.role);
    return { ...ticket, details, actions, resolutionCodes: RESOLUTION_CODES, events: ctx.tickets.events(ticket.ticketId), alarmHistory: ctx.alarms.history(ticket.alarmKey), contacts };
  });

  app.post<{ Params: { ticketId: string }; Body: TransitionBody }>('/api/v1/tickets/:ticketId/transition', { config: allow('dispatcher', 'manager', 'admin'),
    schema: {
      tags: ['tickets'],
      summary: 'Move a ticket (assign, schedule, start, resolve, cancel…), recorded with who and when',
      params: idParam('ticketId'),
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['to'],
        properties: {
          to: { type: 'string', enum: [...TICKET_STATUSES] },
          by: { type: 'string', minLength: 1, maxLength: 100 },
          note: { type: 'string', maxLength: 2000 },
          assignee: { type: 'string', maxLength: 100 },
          team: { type: 'string', maxLength: 100 },
          slotStart: { type: 'integer', minimum: 0 },
          slotEnd: { type: 'integer', minimum: 0 },
          promisedBy: { type: 'integer', minimum: 0 },
        },
      },
      response: { 200: anyObject, ...errors },
    },
  }, async (request) => {
    const { to, by, note, ...patch } = request.body;
    if (to === 'scheduled' && patch.slotStart !== undefined) refusePastSlot(patch.slotStart, queue.current(request.params.ticketId)?.customer?.timeZone ?? 'UTC', ctx.clock.now());
    const ticket = ctx.tickets.transition(request.params.ticketId, to, actorOf(request, by), note, patch);
    ctx.bus.publish({ type: 'ticket', data: { ticketId: ticket.ticketId, status: ticket.status, outcome: 'moved' } });
    return ticket;
  });
}

/**
 * Who a change is recorded under: a signed-in console user is always themselves; only the
 * admin token (automation such as a Node-RED flow) may name the person it acts for in `by`.
 */
function actorOf(request: FastifyRequest, by: string | undefined): string {
  const who = request.caller;
  if (who !== undefined && who.username !== 'admin-token') return who.username;
  return by ?? who?.username ?? 'api';
}
