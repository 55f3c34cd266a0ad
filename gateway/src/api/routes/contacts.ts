import { Type } from '@sinclair/typebox';
import type { OutboxRow } from '../../outbox/outbox.js';
import { SIGNED_IN, allow } from '../auth.js';
import { TaskModel, TaskWithAttemptsModel } from '../models.js';
import type { ApiPlugin } from '../plugin.js';
import { IdParam, ItemsOf, changeErrors, errors, signedInErrors } from '../schemas.js';

/** A task with its payload as the JSON it was stored as. */
export const taskView = (t: OutboxRow) => ({ ...t, payload: JSON.parse(t.payload) as Record<string, unknown> });

/** /api/v1/contacts: the contact tasks (outbox) and their delivery. */
export const contactRoutes: ApiPlugin = async (app, { ctx }) => {
  app.get('', {
    config: SIGNED_IN,
    schema: {
      tags: ['contacts'],
      operationId: 'listContacts',
      summary: 'Contact tasks (outbox) with delivery state',
      querystring: Type.Object({
        status: Type.Optional(Type.String({ maxLength: 200, description: 'comma list: pending, delivered, dead, suppressed' })),
        ticketId: Type.Optional(Type.String({ maxLength: 128 })),
        customerId: Type.Optional(Type.String({ maxLength: 128 })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
      }),
      response: { 200: ItemsOf(TaskModel), ...signedInErrors },
    },
  }, async (request) => {
    const q = request.query;
    return { items: ctx.outbox.list({ ...q, status: q.status?.split(',') }).map(taskView) };
  });

  app.get('/:taskId', {
    config: SIGNED_IN,
    schema: { tags: ['contacts'], operationId: 'getContact', summary: 'One contact task with its delivery attempts', params: IdParam('taskId'), response: { 200: TaskWithAttemptsModel, ...errors } },
  }, async (request) => {
    const t = ctx.outbox.require(request.params.taskId);
    return { ...taskView(t), attempts: ctx.outbox.attempts(t.taskId) };
  });

  app.post('/:taskId/replay', {
    config: allow('dispatcher', 'manager', 'admin'),
    schema: {
      tags: ['contacts'],
      operationId: 'replayContact',
      summary: 'Replay a contact task',
      description: 'A dead one goes back in the queue with a fresh retry budget, a delivered one is sent again (same Idempotency-Key); 409 for pending or suppressed tasks.',
      params: IdParam('taskId'),
      response: { 200: TaskModel, ...changeErrors },
    },
  }, async (request) => {
    const t = ctx.outbox.replay(request.params.taskId);
    request.log.info({ taskId: t.taskId, ticketId: t.ticketId, by: request.caller?.username ?? 'api' }, 'contact task replayed');
    ctx.worker.kick();
    return taskView(t);
  });
};
