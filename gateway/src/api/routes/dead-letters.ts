import { Type } from '@sinclair/typebox';
import { DeadLetterStore } from '../../store/dead-letter-store.js';
import { SIGNED_IN } from '../auth.js';
import { DeadLetterModel } from '../models.js';
import type { ApiPlugin } from '../plugin.js';
import { ItemsOf, signedInErrors } from '../schemas.js';

/** /api/v1/dead-letters: what the ingest refused, for whoever looks into a hub's firmware. */
export const deadLetterRoutes: ApiPlugin = async (app, { ctx }) => {
  const letters = new DeadLetterStore(ctx.store);
  app.get('', {
    config: SIGNED_IN,
    schema: {
      tags: ['ops'],
      operationId: 'listDeadLetters',
      summary: 'Messages refused after the broker accepted them, newest first',
      querystring: Type.Object({ hubId: Type.Optional(Type.String({ maxLength: 128 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }),
      response: { 200: ItemsOf(DeadLetterModel), ...signedInErrors },
    },
  }, async (request) => ({ items: await letters.list({ hubId: request.query.hubId, limit: request.query.limit ?? 100, payloadChars: 4096 }) }));
};
