import { Type } from '@sinclair/typebox';
import { storeAnswers } from '../../store/store-health.js';
import { PUBLIC } from '../auth.js';
import type { ApiPlugin } from '../plugin.js';
import { StringEnum } from '../schemas.js';

const Health = Type.Object({
  status: StringEnum(['ok', 'degraded']),
  checks: Type.Object({ broker: Type.Boolean(), store: Type.Boolean(), worker: Type.Boolean(), rules: Type.Boolean() }),
});

/** /api/v1/health: for load balancers and orchestrators, without a token. */
export const healthRoutes: ApiPlugin = async (app, { ctx }) => {
  app.get('', {
    config: PUBLIC,
    schema: {
      tags: ['ops'],
      operationId: 'getHealth',
      summary: 'Whether broker, store, worker and rules run',
      description: '200 {"status":"ok"} when they all do; 503 with the failing parts otherwise.',
      response: { 200: Health, 503: Health },
    },
  }, async (_request, reply) => {
    const checks = { broker: ctx.broker.isRunning, store: await storeAnswers(ctx.store), worker: ctx.worker.isRunning, rules: ctx.runner.running };
    const ok = Object.values(checks).every(Boolean);
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', checks });
  });
};
