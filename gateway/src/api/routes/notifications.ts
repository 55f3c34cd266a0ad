import { randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { taskIdOf } from '../../outbox/outbox.js';
import { allow } from '../auth.js';
import { TaskModel } from '../models.js';
import type { ApiPlugin } from '../plugin.js';
import { errors, Strict, StringEnum } from '../schemas.js';
import { taskView } from './contacts.js';

/** /api/v1/notifications: a message to a customer, sent as a contact task. */
export const notificationRoutes: ApiPlugin = async (app, { ctx }) => {
  app.post('', {
    config: allow('dispatcher', 'manager', 'admin'),
    schema: {
      tags: ['contacts'],
      operationId: 'notifyCustomer',
      summary: "Send a customer notification through the contact center, under the customer's consent, quiet hours and cap",
      description: 'A new task is 201; the same key again answers the task it made (200).',
      body: Strict({
        customerId: Type.String({ minLength: 1, maxLength: 128 }),
        message: Type.String({ minLength: 1, maxLength: 1000 }),
        purpose: StringEnum(['repair', 'food', 'safety']),
        ticketId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
        key: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: "the caller's idempotency key: the same key never makes a second task" })),
      }),
      response: { 201: TaskModel, 200: TaskModel, ...errors },
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
    return reply.code(written ? 201 : 200).send(taskView(row));
  });
};
