import { Type } from '@sinclair/typebox';
import { PUBLIC } from '../auth.js';
import type { ApiPlugin } from '../plugin.js';

/** /metrics: Prometheus scrapes it without a token. */
export const metricsRoutes: ApiPlugin = async (app, { ctx }) => {
  app.get('', {
    config: PUBLIC,
    schema: {
      tags: ['ops'],
      operationId: 'getMetrics',
      summary: 'Prometheus metrics',
      response: { 200: { description: 'The metrics in the Prometheus text format', content: { 'text/plain': { schema: Type.String() } } } },
    },
  }, async (_request, reply) => {
    ctx.metrics.alarmsOpen.set(ctx.runner.openAlarms());
    ctx.metrics.outboxPending.set(ctx.outbox.pendingCount());
    return reply.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
  });
};
