import { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import { applyOutcome, OUTCOMES } from '../../contact-center/outcomes.js';
import { verify } from '../../contact-center/signing.js';
import { PUBLIC } from '../auth.js';
import type { ApiPlugin } from '../plugin.js';
import { problem, sendProblem } from '../problem.js';
import { Nullable, problems, Strict, StringEnum } from '../schemas.js';

/** /api/v1/contact-center: what the contact center calls back with (signed, not signed in). */
export const contactCenterRoutes: ApiPlugin = async (app, { ctx }) => {
  // The outcome callback is verified over its exact bytes, so keep them beside the parsed body.
  app.addHook('preParsing', async (request, _reply, payload) => {
    const chunks: Buffer[] = [];
    for await (const chunk of payload) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    const raw = Buffer.concat(chunks);
    request.rawBody = raw.toString('utf8');
    return Readable.from([raw]);
  });

  app.post('/outcomes', {
    config: PUBLIC,
    schema: {
      tags: ['contact center'],
      operationId: 'reportContactOutcome',
      summary: 'Outcome of a contact task, reported by the contact center',
      description: 'Signed like our tasks (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature); replays are refused.',
      body: Strict({
        taskId: Type.String({ minLength: 1, maxLength: 100 }),
        outcome: StringEnum(OUTCOMES),
        slot: Type.Optional(Type.Object({ start: Type.Integer({ minimum: 0 }), end: Type.Integer({ minimum: 0 }) })),
        note: Type.Optional(Type.String({ maxLength: 1000 })),
      }),
      response: {
        200: Type.Object({ taskId: Type.String(), outcome: Nullable(Type.String()), ticketId: Nullable(Type.String()), followUp: Nullable(Type.String({ description: 'the follow-up task this outcome made, if any' })) }),
        ...problems(400, 401, 404, 409),
      },
    },
    // Before the body schema: an unsigned caller learns nothing about what we accept.
    preValidation: async (request, reply) => {
      const header = (name: string): string | undefined => {
        const v = request.headers[name];
        return Array.isArray(v) ? v[0] : v;
      };
      const id = header('webhook-id');
      const result = verify(ctx.contactSecrets, { id, timestamp: header('webhook-timestamp'), signature: header('webhook-signature'), body: request.rawBody ?? '' }, Math.floor(ctx.clock.now() / 1000));
      if (!result.ok) {
        request.log.warn({ reason: result.reason }, 'contact-center callback refused');
        return sendProblem(reply, problem('GW_ERR_SIGNATURE_INVALID', result.reason, request.url));
      }
      return undefined;
    },
  }, async (request) => {
    // The webhook id is used up together with the outcome (a replay of it gets 401 there).
    const { task, followUp } = applyOutcome(ctx, String(request.headers['webhook-id']), request.body);
    return { taskId: task.taskId, outcome: task.outcome, ticketId: task.ticketId, followUp };
  });
};
