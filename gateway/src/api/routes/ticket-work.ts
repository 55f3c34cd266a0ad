import type { FastifyInstance } from 'fastify';
import { eq, sql } from 'drizzle-orm';
import type { GatewayContext } from '../../context.js';
import { GatewayError } from '../../errors.js';
import { tickets } from '../../store/schema.js';
import { TICKET_STATUSES, type TicketStatus } from '../../tickets/lifecycle.js';
import { QUEUE_SORTS, TicketQueue, type QueueSort } from '../../tickets/ticket-queue.js';
import { RESOLUTION_CODES, TICKET_ACTIONS, TICKET_WORKERS, requireAllowed, targetOf, visitSlot, type TicketAction } from '../../tickets/ticket-actions.js';
import { SIGNED_IN, allow } from '../auth.js';
import { errors, idParam } from '../schemas.js';

const WORKERS = allow(...TICKET_WORKERS);
const nullable = (type: string) => ({ type: [type, 'null'] }) as const;

export const queueItemSchema = {
  type: 'object',
  properties: {
    ticketId: { type: 'string' }, status: { type: 'string' }, severity: { type: 'string' }, title: { type: 'string' },
    faultCode: nullable('string'), faultClass: { type: 'string' }, hubId: { type: 'string' }, applianceId: nullable('string'),
    applianceType: nullable('string'), model: nullable('string'), serial: nullable('string'), customerId: nullable('string'),
    customerName: nullable('string'), region: { type: 'string' }, assignee: nullable('string'), team: nullable('string'),
    openedAt: { type: 'integer' }, updatedAt: { type: 'integer' }, slotStart: nullable('integer'), promisedBy: nullable('integer'),
    alarmCount: { type: 'integer' }, breached: { type: 'boolean' }, urgent: { type: 'boolean' },
  },
} as const;

interface QueueQs { q?: string; status?: string; breached?: boolean; safety?: boolean; mine?: boolean; assignee?: string; sort?: QueueSort; dir?: 'asc' | 'desc'; limit?: number; offset?: number }
interface ActionBody { assignee?: string; team?: string; note?: string; resolutionCode?: string; visit?: { date: string; from: string; to: string } }

/** The dispatcher's work on tickets: the paged queue, bulk assignment, actions by state, linking the customer and appliance. */
export function registerTicketWorkRoutes(app: FastifyInstance, ctx: GatewayContext): void {
  const queue = new TicketQueue(ctx.store, () => ctx.clock.now(), () => ctx.tickets.slaPolicy.assignWithinMs);
  const announce = (ticketId: string, status: string, outcome: string): void => ctx.bus.publish({ type: 'ticket', data: { ticketId, status, outcome } });

  app.get<{ Querystring: QueueQs }>('/api/v1/tickets/queue', { config: SIGNED_IN,
    schema: {
      tags: ['tickets'],
      summary: 'The queue, paged, with a total: q is a case-insensitive substring of title, model, fault, region or customer; urgent tickets (safety, SLA breached) lead every page order',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          q: { type: 'string', maxLength: 200 }, status: { type: 'string', maxLength: 200 }, breached: { type: 'boolean' }, safety: { type: 'boolean' },
          mine: { type: 'boolean' }, assignee: { type: 'string', maxLength: 100 }, sort: { type: 'string', enum: [...QUEUE_SORTS] },
          dir: { type: 'string', enum: ['asc', 'desc'] }, limit: { type: 'integer', minimum: 1, maximum: 200 }, offset: { type: 'integer', minimum: 0, maximum: 1_000_000 },
        },
      },
      response: {
        200: { type: 'object', required: ['items', 'total', 'urgentTotal', 'limit', 'offset'], properties: { items: { type: 'array', items: queueItemSchema }, total: { type: 'integer' }, urgentTotal: { type: 'integer' }, limit: { type: 'integer' }, offset: { type: 'integer' } } },
        ...errors,
      },
    },
  }, async (request) => {
    const q = request.query;
    const status = q.status?.split(',').map((s) => s.trim()).filter((s) => s !== '');
    const unknown = status?.find((s) => !(TICKET_STATUSES as readonly string[]).includes(s));
    if (unknown !== undefined) throw new GatewayError('GW_ERR_VALIDATION', `unknown status ${unknown}; one of ${TICKET_STATUSES.join(', ')}`);
    return queue.page({ ...q, status, assignee: q.mine === true ? request.caller?.username : q.assignee });
  });

  app.get<{ Querystring: { ids: string } }>('/api/v1/tickets/queue/rows', { config: SIGNED_IN,
    schema: {
      tags: ['tickets'],
      summary: 'Queue rows by ticket id (comma list, at most 100): what live events changed, applied to a list without fetching the list; unknown ids are listed in missing',
      querystring: { type: 'object', additionalProperties: false, required: ['ids'], properties: { ids: { type: 'string', minLength: 1, maxLength: 13_000 } } },
      response: { 200: { type: 'object', required: ['items', 'missing'], properties: { items: { type: 'array', items: queueItemSchema }, missing: { type: 'array', items: { type: 'string' } } } }, ...errors },
    },
  }, async (request) => {
    const ids = [...new Set(request.query.ids.split(',').map((s) => s.trim()).filter((s) => s !== ''))];
    if (ids.length === 0 || ids.length > 100) throw new GatewayError('GW_ERR_VALIDATION', 'ids is a comma list of 1 to 100 ticket ids');
    const items = queue.rows(ids);
    const found = new Set(items.map((r) => r.ticketId));
    return { items, missing: ids.filter((id) => !found.has(id)) };
  });

  app.post<{ Body: { ticketIds: string[]; assignee?: string; team?: string } }>('/api/v1/tickets/assign', { config: WORKERS,
    schema: {
      tags: ['tickets'],
      summary: 'Assign many tickets at once; without an assignee, to the caller ("assign to me"). Each ticket that cannot be assigned is listed with why',
      body: { type: 'object', additionalProperties: false, required: ['ticketIds'], properties: { ticketIds: { type: 'array', minItems: 1, maxItems: 200, uniqueItems: true, items: { type: 'string', minLength: 1, maxLength: 128 } }, assignee: { type: 'string', minLength: 1, maxLength: 100 }, team: { type: 'string', minLength: 1, maxLength: 100 } } },
      response: { 200: { type: 'object', properties: { assignee: { type: 'string' }, assigned: { type: 'array', items: { type: 'string' } }, refused: { type: 'array', items: { type: 'object', properties: { ticketId: { type: 'string' }, detail: { type: 'string' } } } } } }, ...errors },
    },
  }, async (request) => {
    const by = request.caller?.username ?? 'api';
    const assignee = request.body.assignee ?? by;
    const assigned: string[] = [];
    const refused: { ticketId: string; detail: string }[] = [];
    for (const id of request.body.ticketIds) {
      try {
        const from = ctx.tickets.require(id).status as TicketStatus;
        requireAllowed(id, 'assign', from);
        const t = ctx.tickets.transition(id, targetOf('assign', from), by, undefined, { assignee, ...(request.body.team !== undefined ? { team: request.body.team } : {}) });
        assigned.push(id);
        announce(id, t.status, 'moved');
      } catch (err) {
        refused.push({ ticketId: id, detail: (err as Error).message });
      }
    }
    return { assignee, assigned, refused };
  });

  app.post<{ Params: { ticketId: string; action: TicketAction }; Body: ActionBody }>('/api/v1/tickets/:ticketId/actions/:action', { config: WORKERS,
    schema: {
      tags: ['tickets'],
      summary: "A ticket action allowed by its state (the detail's `actions`): assign, schedule (a visit in the customer's time zone, never in the past), start, resolve (with a resolution code), reopen, cancel (with a reason), close",
      params: { type: 'object', required: ['ticketId', 'action'], properties: { ticketId: { type: 'string', minLength: 1, maxLength: 128 }, action: { type: 'string', enum: [...TICKET_ACTIONS] } } },
      body: {
        type: 'object',
        additionalProperties: false,
        properties: {
          assignee: { type: 'string', minLength: 1, maxLength: 100 }, team: { type: 'string', minLength: 1, maxLength: 100 }, note: { type: 'string', maxLength: 2000 },
          resolutionCode: { type: 'string', enum: [...RESOLUTION_CODES] },
          visit: { type: 'object', additionalProperties: false, required: ['date', 'from', 'to'], properties: { date: { type: 'string', maxLength: 10 }, from: { type: 'string', maxLength: 5 }, to: { type: 'string', maxLength: 5 } } },
        },
      },
      response: { 200: { type: 'object', additionalProperties: true }, ...errors },
    },
  }, async (request) => {
    const { ticketId, action } = request.params;
    const b = request.body ?? {};
    const by = request.caller?.username ?? 'api';
    const from = ctx.tickets.require(ticketId).status as TicketStatus;
    requireAllowed(ticketId, action, from);
    let note = b.note?.trim() === '' ? undefined : b.note?.trim();
    const patch: Record<string, unknown> = {};
    if (action === 'assign') patch.assignee = b.assignee ?? by;
    if (b.team !== undefined) patch.team = b.team;
    if (action === 'schedule') {
      if (b.visit === undefined) throw new GatewayError('GW_ERR_VALIDATION', 'schedule needs a visit: { date, from, to } in the customer\'s time zone');
      const zone = queue.current(ticketId)?.customer?.timeZone ?? 'UTC';
      const slot = visitSlot(b.visit, zone, ctx.clock.now());
      Object.assign(patch, slot, { promisedBy: slot.slotEnd });
      if (b.assignee !== undefined) patch.assignee = b.assignee;
    }
    if (action === 'resolve') {
      if (b.resolutionCode === undefined) throw new GatewayError('GW_ERR_VALIDATION', `resolve needs a resolutionCode: ${RESOLUTION_CODES.join(', ')}`);
      note = `[${b.resolutionCode}]${note !== undefined ? ` ${note}` : ''}`;
    }
    if (action === 'cancel' && note === undefined) throw new GatewayError('GW_ERR_VALIDATION', 'cancel needs a reason in note');
    const t = ctx.store.transaction(() => {
      const moved = ctx.tickets.transition(ticketId, targetOf(action, from), by, note, patch);
      if (action !== 'reopen') return moved;
      // A repair that did not hold is a repeat repair, counted as a recurrence is.
      ctx.store.db.update(tickets).set({ reopenCount: sql`${tickets.reopenCount} + 1`, resolvedAt: null, closedAt: null }).where(eq(tickets.ticketId, ticketId)).run();
      return ctx.tickets.get(ticketId);
    });
    announce(ticketId, t.status, 'moved');
    return t;
  });

  app.put<{ Params: { ticketId: string }; Body: { customerId: string } }>('/api/v1/tickets/:ticketId/customer', { config: WORKERS,
    schema: {
      tags: ['tickets'],
      summary: "Link the ticket (and its appliance, when registered without a customer) to a customer; the ticket shows the customer's current data from then on",
      params: idParam('ticketId'),
      body: { type: 'object', additionalProperties: false, required: ['customerId'], properties: { customerId: { type: 'string', minLength: 1, maxLength: 128 } } },
      response: { 200: { type: 'object', additionalProperties: true }, ...errors },
    },
  }, async (request) => {
    const t = ctx.tickets.require(request.params.ticketId);
    const c = ctx.customers.require(request.body.customerId);
    ctx.store.transaction(() => {
      ctx.store.db.update(tickets).set({ customerId: c.customerId, region: c.region, updatedAt: ctx.clock.now() }).where(eq(tickets.ticketId, t.ticketId)).run();
      const a = t.applianceId === null ? undefined : ctx.customers.appliance(t.hubId, t.applianceId);
      if (a !== undefined && a.customerId === null) ctx.customers.registerAppliance({ hubId: a.hubId, applianceId: a.applianceId, type: a.type, customerId: c.customerId });
      ctx.tickets.event(t.ticketId, request.caller?.username ?? 'api', 'customer-linked', null, null, `${c.customerId} ${c.name}`);
    });
    announce(t.ticketId, t.status, 'updated');
    return { ...ctx.tickets.get(t.ticketId), current: queue.current(t.ticketId) };
  });

  app.put<{ Params: { ticketId: string }; Body: { type?: string; model?: string; serial?: string } }>('/api/v1/tickets/:ticketId/appliance', { config: WORKERS,
    schema: {
      tags: ['tickets'],
      summary: "Set the ticket's appliance model and serial in the registry (registering it when it is not yet, which needs its type)",
      params: idParam('ticketId'),
      body: { type: 'object', additionalProperties: false, minProperties: 1, properties: { type: { type: 'string', minLength: 1, maxLength: 64 }, model: { type: 'string', minLength: 1, maxLength: 100 }, serial: { type: 'string', minLength: 1, maxLength: 100 } } },
      response: { 200: { type: 'object', additionalProperties: true }, ...errors },
    },
  }, async (request) => {
    const t = ctx.tickets.require(request.params.ticketId);
    if (t.applianceId === null) throw new GatewayError('GW_ERR_VALIDATION', `ticket ${t.ticketId} is about hub ${t.hubId}, not one appliance`);
    const existing = ctx.customers.appliance(t.hubId, t.applianceId);
    const type = request.body.type ?? existing?.type;
    if (type === undefined) throw new GatewayError('GW_ERR_VALIDATION', `appliance ${t.applianceId} is not registered yet: give its type`);
    ctx.store.transaction(() => {
      ctx.customers.registerAppliance({ hubId: t.hubId, applianceId: t.applianceId as string, type, ...(request.body.model !== undefined ? { model: request.body.model } : {}), ...(request.body.serial !== undefined ? { serial: request.body.serial } : {}) });
      if (request.body.model !== undefined) ctx.store.db.update(tickets).set({ model: request.body.model, updatedAt: ctx.clock.now() }).where(eq(tickets.ticketId, t.ticketId)).run();
      ctx.tickets.event(t.ticketId, request.caller?.username ?? 'api', 'appliance-updated', null, null, [request.body.model, request.body.serial].filter((x) => x !== undefined).join(' '));
    });
    announce(t.ticketId, t.status, 'updated');
    return { ...ctx.tickets.get(t.ticketId), current: queue.current(t.ticketId) };
  });
}
