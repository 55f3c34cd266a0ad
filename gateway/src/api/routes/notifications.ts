import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from '../../context.js';
import { taskIdOf } from '../../outbox/outbox.js';
import { allow } from '../auth.js';
import { anyObject, errors } from '../schemas.js';

interface NotifyBody {
  customerId: string;
  message: string;
  purpose: 'repair' | 'food' | 'safety';
  ticketId?: string;
  /** Caller's idempotency key: the same key never makes a second task. */
  key?: string;
}

export function registerNotificationRoutes(app: FastifyInstance, ctx: GatewayContext): void {
  app.post<{ Body: NotifyBody }>('/api/v1/notifications', { config: allow('dispatcher', 'manager', 'admin'),
    schema: {
      tags: ['contacts'],
      summary: "Send a customer notification through the contact center, under the customer's consent, quiet hours and cap",
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['customerId', 'message', 'purpose'],
        properties: {
          customerId: { type: 'string', minLength: 1, maxLength: 128 },
          message: { type: 'string', minLength: 1, maxLength: 1000 },
          purpose: { type: 'string', enum: ['repair', 'food', 'safety'] },
          ticketId: { type: 'string', minLength: 1, maxLength: 64 },
          key: { type: 'string', minLength: 1, maxLength: 200 },
        },
      },
      response: { 201: anyObject, 200: anyObject, ...errors },
    },
  }, async (request, reply) => {
    const b = request.body;
    const customer = ctx.customers.require(b.customerId);
    const ticket = b.ticketId === undefined ? undefined : ctx.tickets.get(b.ticketId);
    const now = ctx.clock.now();
    const cause = `notification:${b.customerId}:${b.key ?? randomUUID()}`;
    const hubId = ticket?.hubId ?? ctx.customers.appliancesOfCustomer(customer.customerId)[0]?.hubId ?? '';
    const task = {
      cause,
      purpose: b.purpose,
      hubId,
      applianceId: null,
      ticketId: ticket?.ticketId ?? null,
      customerId: customer.customerId,
      payload: { customer: { customerId: customer.customerId, name: customer.name, phone: customer.phone, language: customer.language }, message: b.message, ticket: ticket === undefined ? null : { ticketId: ticket.ticketId, status: ticket.status } },
    };
    const { send, written } = ctx.store.transaction(() => ctx.contacts.request({ task, customer, at: now }));
    if (send && written) ctx.worker.kick();
    const row = ctx.outbox.require(taskIdOf(cause));
    return reply.code(written ? 201 : 200).send({ ...row, payload: JSON.parse(row.payload) as unknown });
  });
}
