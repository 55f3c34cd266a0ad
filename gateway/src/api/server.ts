import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions, type RouteOptions } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { GatewayContext } from '../context.js';
import AjvCompiler from '@fastify/ajv-compiler';
import { apiAuth, documentAccess, markRoutesPublic, requireDeclaredAccess, requireDocumented } from './auth.js';
import { clientErrorHandler, errorHandler, frameworkErrors, problemSchema } from './problem.js';
import { hubRoutes } from './routes/hubs.js';
import { hubApplianceRoutes } from './routes/hub-appliances.js';
import { mqttClientRoutes } from './routes/mqtt-clients.js';
import { customerRoutes } from './routes/customers.js';
import { applianceRoutes } from './routes/appliances.js';
import { ticketRoutes } from './routes/tickets.js';
import { ticketQueueRoutes } from './routes/tickets-queue.js';
import { slaRoutes } from './routes/sla.js';
import { alarmRoutes } from './routes/alarms.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { eventRoutes } from './routes/events.js';
import { deadLetterRoutes } from './routes/dead-letters.js';
import { contactRoutes } from './routes/contacts.js';
import { notificationRoutes } from './routes/notifications.js';
import { contactCenterRoutes } from './routes/contact-center.js';
import { contextRoutes } from './routes/context.js';
import { fleetAlertRoutes } from './routes/fleet-alerts.js';
import { ruleRoutes } from './routes/rules.js';
import { sessionRoutes } from './routes/session.js';
import { userRoutes } from './routes/users.js';
import { forecastRoutes } from './routes/forecasts.js';
import { UserStore } from '../users/user-store.js';
import { LoginLimiter, loginLimits } from '../broker/login-limiter.js';
import compress from '@fastify/compress';
import { registerConsoleFiles } from './console-files.js';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built console: gateway/console/dist, beside src/ and dist/ alike. */
export const consoleDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'console', 'dist');

interface AjvPoolOptions {
  customOptions?: Record<string, unknown>;
}
type RouteCompiler = (route: { httpPart?: string }) => ((data: unknown) => unknown) & { errors?: unknown };
type ValidatorFactory = NonNullable<NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>['buildValidator']>;

/**
 * A request body is JSON and keeps its types: `{"hubId": true}` is a 400, never the hub "true".
 * Query strings and path parameters are text, so only they are coerced (`?limit=10`).
 */
function partValidators(): NonNullable<FastifyServerOptions['schemaController']> {
  // @fastify/ajv-compiler declares its compilers as ajv's compile(schema), but fastify calls them
  // with the route's definition (schema, method, url, httpPart): seen here as fastify calls them.
  const pool = AjvCompiler() as unknown as (external: unknown, options: AjvPoolOptions) => RouteCompiler;
  const buildValidator = (external: unknown, options: AjvPoolOptions | undefined): RouteCompiler => {
    const custom = options?.customOptions ?? {};
    const strict = pool(external, { ...options, customOptions: { ...custom, coerceTypes: false } });
    const coercing = pool(external, { ...options, customOptions: { ...custom, coerceTypes: 'array' } });
    return (route) => {
      if (route.httpPart === 'body') return strict(route);
      const validate = coercing(route);
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
  return { compilersFactory: { buildValidator: buildValidator as unknown as ValidatorFactory } };
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
  }).withTypeProvider<TypeBoxTypeProvider>();
  // Every route is collected as it is added and checked once all are in (plugins' routes get their access after
  // this hook has seen them): a route without declared access stops the start.
  const routes: RouteOptions[] = [];
  app.addHook('onRoute', (route) => void routes.push(route));
  app.addHook('onReady', async () => {
    routes.forEach(requireDeclaredAccess);
    routes.forEach(requireDocumented);
  });
  app.addSchema(problemSchema);
  // gzip and brotli for everything compressible (JSON, the console's scripts); event streams stay uncompressed and unbuffered.
  // Responses only: request bodies stay plain JSON (no gzip bombs to inflate).
  await app.register(compress, { encodings: ['br', 'gzip'], threshold: 1024, globalDecompression: false });
  await app.register(swagger, {
    transform: documentAccess,
    // Shared schemas keep their $id as their name in the document (components/schemas/Problem, not def-0).
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'forecare gateway API',
        version: '1',
        description: 'Hubs, customers, tickets, alarms and contact tasks of a forecare gateway. Errors are RFC 9457 problem bodies (application/problem+json) with a stable `code`.',
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      // The document is served by the gateway it describes: paths are relative to wherever it was fetched from.
      servers: [{ url: '/', description: 'this gateway' }],
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
  app.decorateRequest('rawBody', undefined);
  app.addHook('onRequest', apiAuth(ctx.adminToken, users));
  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode >= 400) request.log.info({ method: request.method, path: request.url.split('?')[0], status: reply.statusCode }, 'api request refused');
  });
  await registerConsoleFiles(app, consoleDir);
  // One plugin per URL prefix; each file under routes/ is named after its prefix.
  const limiter = new LoginLimiter(loginLimits(ctx.config.mqtt.loginFailuresPerMinute));
  await app.register(healthRoutes, { ctx, prefix: '/api/v1/health' });
  await app.register(metricsRoutes, { ctx, prefix: '/metrics' });
  await app.register(eventRoutes, { ctx, prefix: '/api/v1/events' });
  await app.register(sessionRoutes, { ctx, users, limiter, prefix: '/api/v1/session' });
  await app.register(userRoutes, { ctx, users, prefix: '/api/v1/users' });
  await app.register(deadLetterRoutes, { ctx, prefix: '/api/v1/dead-letters' });
  await app.register(hubRoutes, { ctx, prefix: '/api/v1/hubs' });
  await app.register(hubApplianceRoutes, { ctx, prefix: '/api/v1/hubs/:hubId/appliances' });
  await app.register(mqttClientRoutes, { ctx, prefix: '/api/v1/mqtt-clients' });
  await app.register(customerRoutes, { ctx, prefix: '/api/v1/customers' });
  await app.register(applianceRoutes, { ctx, prefix: '/api/v1/appliances' });
  await app.register(ticketRoutes, { ctx, prefix: '/api/v1/tickets' });
  await app.register(ticketQueueRoutes, { ctx, prefix: '/api/v1/tickets/queue' });
  await app.register(slaRoutes, { ctx, prefix: '/api/v1/sla' });
  await app.register(alarmRoutes, { ctx, prefix: '/api/v1/alarms' });
  await app.register(contactRoutes, { ctx, prefix: '/api/v1/contacts' });
  await app.register(notificationRoutes, { ctx, prefix: '/api/v1/notifications' });
  await app.register(contactCenterRoutes, { ctx, prefix: '/api/v1/contact-center' });
  await app.register(contextRoutes, { ctx, prefix: '/api/v1/context' });
  await app.register(fleetAlertRoutes, { ctx, prefix: '/api/v1/fleet/alerts' });
  await app.register(ruleRoutes, { ctx, prefix: '/api/v1/rules' });
  await app.register(forecastRoutes, { ctx, prefix: '/api/v1/forecasts' });
  return app;
}
