import { Type } from '@sinclair/typebox';
import { LiveStreams } from '../../events/sse.js';
import { SIGNED_IN } from '../auth.js';
import type { ApiPlugin } from '../plugin.js';
import { problems } from '../schemas.js';

const EventId = Type.String({ pattern: '^[0-9]{1,15}$' });

/** /api/v1/events: the live stream the console follows. */
export const eventRoutes: ApiPlugin = async (app, { ctx }) => {
  const streams = new LiveStreams(ctx.bus, ctx.metrics.liveStreams);
  // Streams never end by themselves: without this the HTTP server (and SIGTERM) would wait for them for ever.
  app.addHook('preClose', (done) => {
    streams.closeAll();
    done();
  });
  app.get('', {
    config: { ...SIGNED_IN, queryToken: true },
    schema: {
      tags: ['ops'],
      operationId: 'streamEvents',
      summary: 'Server-sent events: alarm, ticket and contact changes as they commit',
      description: 'Each event has a durable id. Send Last-Event-ID (or ?lastEventId=) to be sent what was missed first; a `reset` event says the id is older than the kept window (fetch the state again). EventSource cannot send headers, so the token may also come as ?access_token=.',
      querystring: Type.Object({ lastEventId: Type.Optional(EventId), access_token: Type.Optional(Type.String({ maxLength: 200 })) }),
      headers: Type.Object({ 'last-event-id': Type.Optional(EventId) }),
      response: {
        200: { description: 'The event stream (text/event-stream: `id`, `event`, `data` lines)', content: { 'text/event-stream': { schema: Type.String() } } },
        ...problems(400, 401, 403),
      },
    },
  }, (request, reply) => {
    // The header wins: EventSource sends it on every reconnect, while a query in its URL stays as first given.
    const last = request.headers['last-event-id'] ?? request.query.lastEventId;
    reply.hijack();
    streams.serve(request.raw, reply.raw, last === undefined ? undefined : Number(last));
  });
};
