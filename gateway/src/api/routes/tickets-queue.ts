import { Type } from '@sinclair/typebox';
import { GatewayError } from '../../errors.js';
import { TICKET_STATUSES } from '../../tickets/lifecycle.js';
import { QUEUE_SORTS, TicketQueue } from '../../tickets/ticket-queue.js';
import { SIGNED_IN } from '../auth.js';
import type { ApiPlugin } from '../plugin.js';
import { signedInErrors, Strict, StringEnum } from '../schemas.js';
import { QueueItemModel } from '../ticket-models.js';

const opt = Type.Optional;

/** /api/v1/tickets/queue: the dispatcher's queue, paged, and single rows of it for live updates. */
export const ticketQueueRoutes: ApiPlugin = async (app, { ctx }) => {
  const queue = new TicketQueue(ctx.store, () => ctx.clock.now(), () => ctx.tickets.slaPolicy.assignWithinMs);

  app.get('', {
    config: SIGNED_IN,
    schema: {
      tags: ['tickets'],
      operationId: 'getTicketQueue',
      summary: 'The ticket queue, paged, with a total',
      description: 'q is a case-insensitive substring of title, model, fault, region or customer; urgent tickets (safety, SLA breached) lead every page order.',
      querystring: Strict({
        q: opt(Type.String({ maxLength: 200 })), status: opt(Type.String({ maxLength: 200 })), breached: opt(Type.Boolean()), safety: opt(Type.Boolean()),
        mine: opt(Type.Boolean()), assignee: opt(Type.String({ maxLength: 100 })), sort: opt(StringEnum(QUEUE_SORTS)),
        dir: opt(StringEnum(['asc', 'desc'])), limit: opt(Type.Integer({ minimum: 1, maximum: 200 })), offset: opt(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
      }),
      response: {
        200: Type.Object({ items: Type.Array(QueueItemModel), total: Type.Integer(), urgentTotal: Type.Integer(), limit: Type.Integer(), offset: Type.Integer() }),
        ...signedInErrors,
      },
    },
  }, async (request) => {
    const q = request.query;
    const status = q.status?.split(',').map((s) => s.trim()).filter((s) => s !== '');
    const unknown = status?.find((s) => !(TICKET_STATUSES as readonly string[]).includes(s));
    if (unknown !== undefined) throw new GatewayError('GW_ERR_VALIDATION', `unknown status ${unknown}; one of ${TICKET_STATUSES.join(', ')}`);
    return queue.page({ ...q, status, assignee: q.mine === true ? request.caller?.username : q.assignee });
  });

  app.get('/rows', {
    config: SIGNED_IN,
    schema: {
      tags: ['tickets'],
      operationId: 'getTicketQueueRows',
      summary: 'Queue rows by ticket id (comma list, at most 100); unknown ids are listed in missing',
      description: 'What live events changed, applied to a list without fetching the list.',
      querystring: Strict({ ids: Type.String({ minLength: 1, maxLength: 13_000 }) }),
      response: { 200: Type.Object({ items: Type.Array(QueueItemModel), missing: Type.Array(Type.String()) }), ...signedInErrors },
    },
  }, async (request) => {
    const ids = [...new Set(request.query.ids.split(',').map((s) => s.trim()).filter((s) => s !== ''))];
    if (ids.length === 0 || ids.length > 100) throw new GatewayError('GW_ERR_VALIDATION', 'ids is a comma list of 1 to 100 ticket ids');
    const items = queue.rows(ids);
    const found = new Set(items.map((r) => r.ticketId));
    return { items, missing: ids.filter((id) => !found.has(id)) };
  });
};
