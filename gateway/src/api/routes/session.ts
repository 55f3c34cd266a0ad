import type { FastifyInstance } from 'fastify';
import { and, asc, eq, gte, lte } from 'drizzle-orm';
import type { GatewayContext } from '../../context.js';
import { telemetry } from '../../store/schema.js';
import { ROLES, type Role, type UserStore } from '../../users/user-store.js';
import { PUBLIC, SIGNED_IN, allow, bearerOf } from '../auth.js';
import type { LoginLimiter } from '../../broker/login-limiter.js';
import { problem, sendProblem } from '../problem.js';
import { GatewayError } from '../../errors.js';
import { anyObject, errors, itemsOf } from '../schemas.js';

export function registerSessionRoutes(app: FastifyInstance, ctx: GatewayContext, users: UserStore, limiter: LoginLimiter): void {
  app.post<{ Body: { username: string; password: string } }>('/api/v1/session', { config: PUBLIC,
    schema: {
      tags: ['session'],
      summary: 'Sign in to the console: a session token for the user, with their role',
      body: { type: 'object', required: ['username', 'password'], additionalProperties: false, properties: { username: { type: 'string', minLength: 1, maxLength: 64 }, password: { type: 'string', minLength: 1, maxLength: 200 } } },
      response: { 201: { type: 'object', properties: { token: { type: 'string' }, role: { type: 'string' }, username: { type: 'string' }, expiresAt: { type: 'integer' } } }, 429: { $ref: 'Problem#' }, ...errors },
    },
  }, async (request, reply) => {
    const { username, password } = request.body;
    // Guessing is refused per (user, address) and per address before any password work; guesses
    // from elsewhere only slow a user down, so they cannot lock the real user out.
    const verdict = limiter.begin(username, request.ip, ctx.clock.now());
    if (verdict.kind === 'refuse') {
      ctx.metrics.loginFailures.inc({ reason: `console-rate-limited-${verdict.limit}` });
      request.log.warn({ username, address: request.ip, limit: verdict.limit }, 'console sign-in refused: too many failures');
      void reply.header('retry-after', String(Math.ceil(verdict.retryAfterMs / 1000)));
      return sendProblem(reply, problem('GW_ERR_TOO_MANY_LOGINS', `too many failed sign-ins for ${verdict.limit === 'pair' ? 'this user from this address' : 'this address'}; try again in ${Math.ceil(verdict.retryAfterMs / 1000)} s`, request.url));
    }
    if (verdict.kind === 'slow') await new Promise((resolve) => setTimeout(resolve, verdict.delayMs));
    const s = await users.signIn(username, password);
    if (s === undefined) {
      ctx.metrics.loginFailures.inc({ reason: 'console' });
      return sendProblem(reply, problem('GW_ERR_UNAUTHORIZED', 'wrong user name or password', request.url));
    }
    limiter.succeeded(username, request.ip, ctx.clock.now());
    return reply.code(201).send({ ...s, username });
  });

  app.get('/api/v1/session', { config: SIGNED_IN, schema: { tags: ['session'], summary: 'Who is signed in', response: { 200: anyObject, ...errors } } }, async (request) => request.caller ?? {});

  app.delete('/api/v1/session', { config: SIGNED_IN, schema: { tags: ['session'], response: { 204: { type: 'null' }, ...errors } } }, async (request, reply) => {
    const token = bearerOf(request);
    if (token !== undefined) users.signOut(token);
    return reply.code(204).send();
  });

  app.get('/api/v1/users', { config: allow('admin'), schema: { tags: ['session'], summary: 'Console users (admin)', response: { 200: itemsOf(), ...errors } } }, async () => ({ items: users.list() }));

  app.post<{ Body: { username: string; role: Role; password?: string } }>('/api/v1/users', { config: allow('admin'),
    schema: {
      tags: ['session'],
      summary: 'Add a console user (admin); the password is returned once when generated',
      body: { type: 'object', required: ['username', 'role'], additionalProperties: false, properties: { username: { type: 'string', minLength: 2, maxLength: 64 }, role: { type: 'string', enum: [...ROLES] }, password: { type: 'string', minLength: 12, maxLength: 200 } } },
      response: { 201: anyObject, ...errors },
    },
  }, async (request, reply) => reply.code(201).send(await users.add(request.body.username, request.body.role, request.body.password)));

  app.patch<{ Params: { username: string }; Body: { role?: Role; disabled?: boolean } }>('/api/v1/users/:username', { config: allow('admin'),
    schema: {
      tags: ['session'],
      summary: "Change a user's role or disable them (admin); disabling ends their sessions",
      params: { type: 'object', required: ['username'], properties: { username: { type: 'string', minLength: 1, maxLength: 64 } } },
      body: { type: 'object', additionalProperties: false, minProperties: 1, properties: { role: { type: 'string', enum: [...ROLES] }, disabled: { type: 'boolean' } } },
      response: { 200: { type: 'object', properties: { username: { type: 'string' }, role: { type: 'string' }, createdAt: { type: 'integer' }, disabledAt: { type: ['integer', 'null'] } } }, ...errors },
    },
  }, async (request) => {
    // An admin cannot demote or disable the account they are using: the console would lock them out mid-change.
    if (request.caller?.username === request.params.username) throw new GatewayError('GW_ERR_VALIDATION', 'change your own account from another admin account');
    return users.update(request.params.username, request.body);
  });

  // Engineers read telemetry too: it is what their rules run on.
  app.get<{ Params: { hubId: string; applianceId: string }; Querystring: { from?: number; to?: number } }>('/api/v1/hubs/:hubId/appliances/:applianceId/telemetry', { config: allow('dispatcher', 'engineer', 'manager', 'admin'),
    schema: {
      tags: ['customers'],
      summary: "An appliance's recent telemetry (the chart history, one point per 10 s at most)",
      params: { type: 'object', required: ['hubId', 'applianceId'], properties: { hubId: { type: 'string', minLength: 1, maxLength: 64 }, applianceId: { type: 'string', minLength: 1, maxLength: 64 } } },
      querystring: { type: 'object', properties: { from: { type: 'integer', minimum: 0 }, to: { type: 'integer', minimum: 0 } } },
      response: { 200: itemsOf(), ...errors },
    },
  }, async (request) => {
    const to = request.query.to ?? ctx.clock.now();
    const from = request.query.from ?? to - 6 * 3_600_000;
    const rows = ctx.store.db
      .select({ at: telemetry.at, metrics: telemetry.metrics })
      .from(telemetry)
      .where(and(eq(telemetry.hubId, request.params.hubId), eq(telemetry.applianceId, request.params.applianceId), gte(telemetry.at, from), lte(telemetry.at, to)))
      .orderBy(asc(telemetry.at))
      .limit(5000)
      .all();
    return { items: rows.map((r) => ({ at: r.at, metrics: JSON.parse(r.metrics) as unknown })) };
  });
}
