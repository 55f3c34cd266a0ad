import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { GatewayContext } from '../context.js';
import { apiAuth } from './auth.js';
import { errorHandler, problemSchema } from './problem.js';
import { registerHubRoutes } from './routes/hubs.js';
import { registerMqttClientRoutes } from './routes/mqtt-clients.js';
import { registerCustomerRoutes } from './routes/customers.js';
import { registerTicketRoutes } from './routes/tickets.js';
import { registerAlarmRoutes } from './routes/alarms.js';
import { registerOpsRoutes } from './routes/ops.js';
import { registerNotificationRoutes } from './routes/notifications.js';
import { registerContactCenterRoutes } from './routes/contact-center.js';
import { registerRuleRoutes } from './routes/rules.js';
import { registerSessionRoutes } from './routes/session.js';
import { UserStore } from '../users/user-store.js';
import fastifyStatic from '@fastify/static';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built console: gateway/console/dist, beside src/ and dist/ alike. */
export const consoleDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'console', 'dist');

/** The REST API: every route has request and response schemas (served as OpenAPI at /docs). */
export async function buildApi(ctx: GatewayContext): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.logger.child({ component: 'http' }) as FastifyBaseLogger,
    // One log line per refused request (onResponse below), not two per request.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1_048_576,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: true } },
  });
  app.addSchema(problemSchema);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'forecare gateway API', version: '1', description: 'Hubs, customers, tickets, alarms and contact tasks of a forecare gateway.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).type('application/problem+json').send({ type: 'about:blank', title: 'Not found', status: 404, detail: `no route ${request.method} ${request.url.split('?')[0]}`, code: 'GW_ERR_NOT_FOUND' }),
  );
  const users = new UserStore(ctx.store, ctx.clock);
  app.addHook('onRequest', apiAuth(ctx.adminToken, users));
  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode >= 400) request.log.info({ method: request.method, path: request.url.split('?')[0], status: reply.statusCode }, 'api request refused');
  });
  // The console (gateway/console, built by `npm run build`) at /; without a build, / opens the API documentation.
  if (existsSync(join(consoleDir, 'index.html'))) await app.register(fastifyStatic, { root: consoleDir, prefix: '/', index: 'index.html' });
  else app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/docs'));
  registerSessionRoutes(app, ctx, users);
  registerOpsRoutes(app, ctx);
  registerHubRoutes(app, ctx);
  registerMqttClientRoutes(app, ctx);
  registerCustomerRoutes(app, ctx);
  registerTicketRoutes(app, ctx);
  registerAlarmRoutes(app, ctx);
  registerNotificationRoutes(app, ctx);
  registerContactCenterRoutes(app, ctx);
  registerRuleRoutes(app, ctx);
  return app;
}
