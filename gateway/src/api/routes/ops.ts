import type { FastifyInstance } from 'fastify';
import { desc, eq } from 'drizzle-orm';
import type { GatewayContext } from '../../context.js';
import { deadLetters } from '../../store/schema.js';
import { PUBLIC, SIGNED_IN, allow } from '../auth.js';
import { anyObject, errors, idParam, itemsOf, problemRef } from '../schemas.js';
import { LiveStreams } from '../../events/sse.js';

export function registerOpsRoutes(app: FastifyInstance, ctx: GatewayContext): void {
  app.get('/api/v1/health', { config: PUBLIC,
    schema: {
      tags: ['ops'],
      summary: '200 {"status":"ok"} when broker, store and worker run; 503 with the failing parts otherwise',
      response: { 200: { type: 'object', properties: { status: { type: 'string' }, checks: anyObject } }, 503: { type: 'object', properties: { status: { type: 'string' }, checks: anyObject } } },
    },
  }, async (_request, reply) => {
    let store = true;
    try {
      ctx.store.sqlite.prepare('SELECT 1').get();
    } catch {
      store = false;
    }
    const checks = { broker: ctx.broker.isRunning, store, worker: ctx.worker.isRunning, rules: ctx.runner.running };
    const ok = Object.values(checks).every(Boolean);
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', checks });
  });

  app.get('/metrics', { config: PUBLIC, schema: { tags: ['ops'], summary: 'Prometheus metrics' } }, async (_request, reply) => {
    ctx.metrics.alarmsOpen.set(ctx.runner.openAlarms());
    ctx.metrics.outboxPending.set(ctx.outbox.pendingCount());
    return reply.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
  });

  const streams = new LiveStreams(ctx.bus, ctx.metrics.liveStreams);
  // Streams never end by themselves: without this the HTTP server (and SIGTERM) would wait for them for ever.
  app.addHook('preClose', (done) => {
    streams.closeAll();
    done();
  });
  const eventId = { type: 'string', pattern: '^[0-9]{1,15}$' } as const;
  app.get<{ Querystring: { lastEventId?: string }; Headers: { 'last-event-id'?: string } }>('/api/v1/events', { config: { ...SIGNED_IN, queryToken: true },
    schema: {
      tags: ['ops'],
      summary: 'Server-sent events: alarm, ticket and contact changes as they commit, each with a durable id. Send Last-Event-ID (or ?lastEventId=) to be sent what was missed first; a `reset` event says the id is older than the kept window (fetch the state again)',
      querystring: { type: 'object', properties: { lastEventId: eventId } },
      headers: { type: 'object', properties: { 'last-event-id': eventId } },
      response: { 400: problemRef, 401: problemRef },
    },
  }, (request, reply) => {
    // The header wins: EventSource sends it on every reconnect, while a query in its URL stays as first given.
    const last = request.headers['last-event-id'] ?? request.query.lastEventId;
    reply.hijack();
    streams.serve(request.raw, reply.raw, last === undefined ? undefined : Number(last));
  });

  app.get<{ Querystring: { hubId?: string; limit?: number } }>('/api/v1/dead-letters', { config: SIGNED_IN,
    schema: { tags: ['ops'], summary: 'Messages refused after the broker accepted them, newest first', querystring: { type: 'object', properties: { hubId: { type: 'string' }, limit: { type: 'integer', minimum: 1, maximum: 1000 } } }, response: { 200: itemsOf(), ...errors } },
  }, async (request) => {
    const q = ctx.store.db.select().from(deadLetters);
    // Filtered in SQL, so one busy hub's letters do not push another's out of the page.
    const rows = (request.query.hubId === undefined ? q : q.where(eq(deadLetters.hubId, request.query.hubId))).orderBy(desc(deadLetters.id)).limit(request.query.limit ?? 100).all();
    return {
      items: rows
        .map((r) => ({ ...r, errors: JSON.parse(r.errors) as unknown, payload: r.payload === null ? null : r.payload.toString('utf8').slice(0, 4096) })),
    };
  });

  app.get<{ Querystring: { status?: string; ticketId?: string; customerId?: string; limit?: number } }>('/api/v1/contacts', { config: SIGNED_IN,
    schema: { tags: ['contacts'], summary: 'Contact tasks (outbox) with delivery state', querystring: { type: 'object', properties: { status: { type: 'string' }, ticketId: { type: 'string' }, customerId: { type: 'string' }, limit: { type: 'integer', minimum: 1, maximum: 1000 } } }, response: { 200: itemsOf(), ...errors } },
  }, async (request) => {
    const q = request.query;
    return { items: ctx.outbox.list({ ...q, status: q.status?.split(',') }).map((t) => ({ ...t, payload: JSON.parse(t.payload) as unknown })) };
  });

  app.get<{ Params: { taskId: string } }>('/api/v1/contacts/:taskId', { config: SIGNED_IN,
    schema: { tags: ['contacts'], params: idParam('taskId'), response: { 200: anyObject, ...errors } },
  }, async (request) => {
    const t = ctx.outbox.require(request.params.taskId);
    return { ...t, payload: JSON.parse(t.payload) as unknown, attempts: ctx.outbox.attempts(t.taskId) };
  });

  app.post<{ Params: { taskId: string } }>('/api/v1/contacts/:taskId/replay', { config: allow('dispatcher', 'manager', 'admin'),
    schema: {
      tags: ['contacts'],
      summary: 'Replay a contact task: a dead one goes back in the queue with a fresh retry budget, a delivered one is sent again (same Idempotency-Key); 409 for pending or suppressed tasks',
      params: idParam('taskId'),
      response: { 200: anyObject, ...errors },
    },
  }, async (request) => {
    const t = ctx.outbox.replay(request.params.taskId);
    request.log.info({ taskId: t.taskId, ticketId: t.ticketId, by: request.caller?.username ?? 'api' }, 'contact task replayed');
    ctx.worker.kick();
    return { ...t, payload: JSON.parse(t.payload) as unknown };
  });
}
