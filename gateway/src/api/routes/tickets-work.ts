import { Type } from '@sinclair/typebox';
import { GatewayError } from '../../errors.js';
import { TicketStore } from '../../store/ticket-store.js';
import type { TicketStatus } from '../../tickets/lifecycle.js';
import type { TicketQueue } from '../../tickets/ticket-queue.js';
import { RESOLUTION_CODES, TICKET_ACTIONS, TICKET_WORKERS, requireAllowed, targetOf, visitSlot } from '../../tickets/ticket-actions.js';
import { allow } from '../auth.js';
import type { ApiPlugin } from '../plugin.js';
import { changeErrors, errors, IdParam, Strict, StringEnum } from '../schemas.js';
import { TicketModel, TicketWithCurrentModel } from '../ticket-models.js';

const WORKERS = allow(...TICKET_WORKERS);
const opt = Type.Optional;
const name = Type.String({ minLength: 1, maxLength: 100 });

/**
 * The dispatcher's work on tickets, under /api/v1/tickets (registered by tickets.ts): bulk
 * assignment, actions by state, linking the customer and appliance.
 */
export const ticketWorkRoutes: ApiPlugin<{ queue: TicketQueue }> = async (app, { ctx, queue }) => {
  const rows = new TicketStore(ctx.store);
  const announce = (ticketId: string, status: string, outcome: string): void => ctx.bus.publish({ type: 'ticket', data: { ticketId, status, outcome } });
  const withCurrent = (ticketId: string) => ({ ...ctx.tickets.get(ticketId), current: queue.current(ticketId) ?? null });

  app.post('/assign', {
    config: WORKERS,
    schema: {
      tags: ['tickets'],
      operationId: 'assignTickets',
      summary: 'Assign many tickets at once; without an assignee, to the caller ("assign to me")',
      description: 'Each ticket that cannot be assigned is listed with why.',
      body: Strict({ ticketIds: Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { minItems: 1, maxItems: 200, uniqueItems: true }), assignee: opt(name), team: opt(name) }),
      response: { 200: Type.Object({ assignee: Type.String(), assigned: Type.Array(Type.String()), refused: Type.Array(Type.Object({ ticketId: Type.String(), detail: Type.String() })) }), ...errors },
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

  app.post('/:ticketId/actions/:action', {
    config: WORKERS,
    schema: {
      tags: ['tickets'],
      operationId: 'actOnTicket',
      summary: "A ticket action allowed by its state (the detail's `actions`)",
      description: "assign, schedule (a visit in the customer's time zone, never in the past), start, resolve (with a resolution code), reopen, cancel (with a reason), close.",
      params: Type.Object({ ticketId: Type.String({ minLength: 1, maxLength: 128 }), action: StringEnum(TICKET_ACTIONS) }),
      body: Strict({
        assignee: opt(name), team: opt(name), note: opt(Type.String({ maxLength: 2000 })),
        resolutionCode: opt(StringEnum(RESOLUTION_CODES)),
        visit: opt(Strict({ date: Type.String({ maxLength: 10 }), from: Type.String({ maxLength: 5 }), to: Type.String({ maxLength: 5 }) })),
      }),
      response: { 200: TicketModel, ...changeErrors },
    },
  }, async (request) => {
    const { ticketId, action } = request.params;
    const b = request.body;
    const by = request.caller?.username ?? 'api';
    const from = ctx.tickets.require(ticketId).status as TicketStatus;
    requireAllowed(ticketId, action, from);
    let note = b.note?.trim() === '' ? undefined : b.note?.trim();
    const patch: Record<string, unknown> = {};
    if (action === 'assign') patch.assignee = b.assignee ?? by;
    if (b.team !== undefined) patch.team = b.team;
    if (action === 'schedule') {
      if (b.visit === undefined) throw new GatewayError('GW_ERR_VALIDATION', "schedule needs a visit: { date, from, to } in the customer's time zone");
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
      rows.countReopen(ticketId);
      return ctx.tickets.get(ticketId);
    });
    announce(ticketId, t.status, 'moved');
    return t;
  });

  app.put('/:ticketId/customer', {
    config: WORKERS,
    schema: {
      tags: ['tickets'],
      operationId: 'linkTicketCustomer',
      summary: 'Link the ticket (and its appliance, when registered without a customer) to a customer',
      description: "The ticket shows the customer's current data from then on.",
      params: IdParam('ticketId'),
      body: Strict({ customerId: Type.String({ minLength: 1, maxLength: 128 }) }),
      response: { 200: TicketWithCurrentModel, ...errors },
    },
  }, async (request) => {
    const t = ctx.tickets.require(request.params.ticketId);
    const c = ctx.customers.require(request.body.customerId);
    ctx.store.transaction(() => {
      rows.linkCustomer(t.ticketId, c.customerId, c.region, ctx.clock.now());
      const a = t.applianceId === null ? undefined : ctx.customers.appliance(t.hubId, t.applianceId);
      if (a !== undefined && a.customerId === null) ctx.customers.registerAppliance({ hubId: a.hubId, applianceId: a.applianceId, type: a.type, customerId: c.customerId });
      ctx.tickets.event(t.ticketId, request.caller?.username ?? 'api', 'customer-linked', null, null, `${c.customerId} ${c.name}`);
    });
    announce(t.ticketId, t.status, 'updated');
    return withCurrent(t.ticketId);
  });

  app.put('/:ticketId/appliance', {
    config: WORKERS,
    schema: {
      tags: ['tickets'],
      operationId: 'setTicketAppliance',
      summary: "Set the ticket's appliance model and serial in the registry",
      description: 'Registers the appliance when it is not yet, which needs its type.',
      params: IdParam('ticketId'),
      body: Strict({ type: opt(Type.String({ minLength: 1, maxLength: 64 })), model: opt(name), serial: opt(name) }, { minProperties: 1 }),
      response: { 200: TicketWithCurrentModel, ...errors },
    },
  }, async (request) => {
    const t = ctx.tickets.require(request.params.ticketId);
    const applianceId = t.applianceId;
    if (applianceId === null) throw new GatewayError('GW_ERR_VALIDATION', `ticket ${t.ticketId} is about hub ${t.hubId}, not one appliance`);
    const { model, serial } = request.body;
    const type = request.body.type ?? ctx.customers.appliance(t.hubId, applianceId)?.type;
    if (type === undefined) throw new GatewayError('GW_ERR_VALIDATION', `appliance ${applianceId} is not registered yet: give its type`);
    ctx.store.transaction(() => {
      ctx.customers.registerAppliance({ hubId: t.hubId, applianceId, type, ...(model !== undefined ? { model } : {}), ...(serial !== undefined ? { serial } : {}) });
      if (model !== undefined) rows.setModel(t.ticketId, model, ctx.clock.now());
      ctx.tickets.event(t.ticketId, request.caller?.username ?? 'api', 'appliance-updated', null, null, [model, serial].filter((x) => x !== undefined).join(' '));
    });
    announce(t.ticketId, t.status, 'updated');
    return withCurrent(t.ticketId);
  });
};
