import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions, type RouteOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { GatewayContext } from '../context.js';
import AjvCompiler from '@fastify/ajv-compiler';
import { apiAuth, documentAccess, markRoutesPublic, requireDeclaredAccess } from './auth.js';
import { clientErrorHandler, errorHandler, frameworkErrors, problemSchema } from './problem.js';
import { registerHubRoutes } from './routes/hubs.js';
import { registerMqttClientRoutes } from './routes/mqtt-clients.js';
import { registerCustomerRoutes } from './routes/customers.js';
import { registerTicketRoutes } from './routes/tickets.js';
import { registerTicketWorkRoutes } from './routes/ticket-work.js';
import { registerAppliancePageRoutes } from './routes/appliance-page.js';
import { registerManagerRoutes } from './routes/manager.js';
import { registerAlarmRoutes } from './routes/alarms.js';
import { registerOpsRoutes } from './routes/ops.js';
import { registerNotificationRoutes } from './routes/notifications.js';
import { registerContactCenterRoutes } from './routes/contact-center.js';
import { registerRuleRoutes } from './routes/rules.js';
import { registerSessionRoutes } from './routes/session.js';
import { registerForecastRoutes } from './routes/forecasts.js';
import { UserStore } from '../users/user-store.js';
import { LoginLimiter, loginLimits } from '../broker/login-limiter.js';
import compress from '@fastify/compress';
import { registerConsoleFiles } from './console-files.js';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built console: gateway/console/dist, beside src/ and dist/ alike. */
export const consoleDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'console', 'dist');

/**
 * A request body is JSON and keeps its types: `{"hubId": true}` is a 400, never the hub "true".
 * Query strings and path parameters are text, so only they are coerced (`?limit=10`).
 */
function partValidators(): NonNullable<FastifyServerOptions['schemaController']> {
  const pool = AjvCompiler();
  const buildValidator = (external: unknown, options: { customOptions?: Record<string, unknown> } | undefined) => {
    const custom = options?.customOptions ?? {};
    const strict = pool(external as never, { ...options, customOptions: { ...custom, coerceTypes: false } } as never);
    const coercing = pool(external as never, { ...options, customOptions: { ...custom, coerceTypes: 'array' } } as never);
    return (route: { httpPart?: string }) => {
      if (route.httpPart === 'body') return strict(route as never);
      const validate = coercing(route as never);
      // ajv coerces "1e309" and "Infinity" to Infinity and then lets it past `maximum`; a query number is finite.
      const finite = Object.assign(
        (data: unknown) => {
          const ok = validate(data);
          finite.errors = validate.errors; // fastify reads a refusal's reasons from the function it was given
          const bad = ok === true ? nonFinite(data) : undefined;
          if (bad === undefined) return ok;
          return { error: Object.assign(new Error(`${route.httpPart ?? 'querystring'}/${bad} must be a finite number`), { validation: [{ instancePath: `/${bad}`, message: 'must be a finite number' }], validationContext: route.httpPart }) };
        },
        { errors: validate.errors },
      );
      return finite;
    };
  };
  return { compilersFactory: { buildValidator: buildValidator as never } };
}

/** The first property of a flat object (a query string, path parameters) that is a non-finite number. */
function nonFinite(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  for (const [k, v] of Object.entries(data)) if (typeof v === 'number' && !Number.isFinite(v)) return k;
  return undefined;
}

/** The REST API: every route has request and response schemas (served as OpenAPI at /docs). */
export async function buildApi(ctx: GatewayContext): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.logger.child({ component: 'http' }) as FastifyBaseLogger,
    // One log line per refused request (onResponse below), not two per request.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1_048_576,
    ajv: { customOptions: { removeAdditional: false, allErrors: true } },
    schemaController: partValidators(),
    frameworkErrors,
    clientErrorHandler,
  });
  // Every route is collected as it is added and checked once all are in (plugins' routes get their access after
  // this hook has seen them): a route without declared access stops the start.
  const routes: RouteOptions[] = [];
  app.addHook('onRoute', (route) => void routes.push(route));
  app.addHook('onReady', async () => routes.forEach(requireDeclaredAccess));
  app.addSchema(problemSchema);
  // gzip and brotli for everything compressible (JSON, the console's scripts); event streams stay uncompressed and unbuffered.
  // Responses only: request bodies stay plain JSON (no gzip bombs to inflate).
  await app.register(compress, { encodings: ['br', 'gzip'], threshold: 1024, globalDecompression: false });
  await app.register(swagger, {
    transform: documentAccess,
    openapi: {
      openapi: '3.1.0',
      info: { title: 'forecare gateway API', version: '1', description: 'Hubs, customers, tickets, alarms and contact tasks of a forecare gateway.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  // Routes we do not write (the documentation, the console's static files) are public, and only they are marked so.
  await app.register(async (docs) => {
    markRoutesPublic(docs);
    await docs.register(swaggerUi, { routePrefix: '/docs' });
  });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).type('application/problem+json').send({ type: 'about:blank', title: 'Not found', status: 404, detail: `no route ${request.method} ${request.url.split('?')[0]}`, code: 'GW_ERR_NOT_FOUND' }),
  );
  const users = new UserStore(ctx.store, ctx.clock);
  app.decorateRequest('caller', undefined);
  app.addHook('onRequest', apiAuth(ctx.adminToken, users));
  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode >= 400) request.log.info({ method: request.method, path: request.url.split('?')[0], status: reply.statusCode }, 'api request refused');
  });
  await registerConsoleFiles(app, consoleDir);
  registerSessionRoutes(app, ctx, users, new LoginLimiter(loginLimits(ctx.config.mqtt.loginFailuresPerMinute)));
  registerOpsRoutes(app, ctx);
  registerHubRoutes(app, ctx);
  registerMqttClientRoutes(app, ctx);
  registerCustomerRoutes(app, ctx);
  registerTicketRoutes(app, ctx);
  registerTicketWorkRoutes(app, ctx);
  registerAppliancePageRoutes(app, ctx);
  registerManagerRoutes(app, ctx);
  registerAlarmRoutes(app, ctx);
  registerNotificationRoutes(app, ctx);
  registerContactCenterRoutes(app, ctx);
  registerRuleRoutes(app, ctx);
  registerForecastRoutes(app, ctx);
  return app;
}
