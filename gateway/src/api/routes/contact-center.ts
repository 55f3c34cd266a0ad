import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { desc, eq, inArray } from 'drizzle-orm';
import type { GatewayContext } from '../../context.js';
import { applyOutcome, OUTCOMES, type OutcomeReport } from '../../contact-center/outcomes.js';
import { verify } from '../../contact-center/signing.js';
import { alarms, fleetAlerts } from '../../store/schema.js';
import { ACTIVE_STATUSES } from '../../tickets/lifecycle.js';
import { problem, sendProblem } from '../problem.js';
import { PUBLIC, SIGNED_IN, allow } from '../auth.js';
import { anyObject, errors, itemsOf } from '../schemas.js';

const rawBodies = new WeakMap<FastifyRequest, string>();

export function registerContactCenterRoutes(app: FastifyInstance, ctx: GatewayContext): void {
  // The outcome callback is verified over its exact bytes, so keep them beside the parsed body.
  void app.register(async (scope) => {
    scope.addHook('preParsing', async (request, _reply, payload) => {
      const chunks: Buffer[] = [];
      for await (const chunk of payload) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
      const raw = Buffer.concat(chunks);
      rawBodies.set(request, raw.toString('utf8'));
      return Readable.from([raw]);
    });
    scope.post<{ Body: OutcomeReport }>('/api/v1/contact-center/outcomes', { config: PUBLIC,
      schema: {
        tags: ['contact center'],
        summary: 'Outcome of a contact task, reported by the contact center; signed like our tasks (Standard Webhooks), replays refused',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['taskId', 'outcome'],
          properties: {
            taskId: { type: 'string', minLength: 1, maxLength: 100 },
            outcome: { type: 'string', enum: [...OUTCOMES] },
            slot: { type: 'object', required: ['start', 'end'], properties: { start: { type: 'integer', minimum: 0 }, end: { type: 'integer', minimum: 0 } } },
            note: { type: 'string', maxLength: 1000 },
          },
        },
        response: { 200: anyObject, ...errors },
      },
      // Before the body schema: an unsigned caller learns nothing about what we accept.
      preValidation: async (request, reply) => {
        const header = (name: string): string | undefined => {
          const v = request.headers[name];
          return Array.isArray(v) ? v[0] : v;
        };
        const id = header('webhook-id');
        const result = verify(ctx.contactSecrets, { id, timestamp: header('webhook-timestamp'), signature: header('webhook-signature'), body: rawBodies.get(request) ?? '' }, Math.floor(ctx.clock.now() / 1000));
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
  });

  app.get<{ Querystring: { phone: string } }>('/api/v1/context', { config: allow('dispatcher', 'manager', 'admin'),
    schema: {
      tags: ['contact center'],
      summary: 'Caller context for an inbound call: the customer, their appliances with health, open tickets, recent alarms and contacts, and the likely reason',
      querystring: { type: 'object', required: ['phone'], properties: { phone: { type: 'string', minLength: 3, maxLength: 40 } } },
      response: { 200: anyObject, ...errors },
    },
  }, async (request) => {
    const matches = ctx.customers.findByPhone(request.query.phone);
    const customer = matches[0];
    if (customer === undefined) return { customer: null, matches: 0, likelyReason: null, appliances: [], openTickets: [], recentAlarms: [], recentContacts: [] };
    const owned = ctx.customers.appliancesOfCustomer(customer.customerId);
    const hubIds = [...new Set(owned.map((a) => a.hubId))];
    const owns = (x: { hubId: string; applianceId: string | null }): boolean => owned.some((a) => a.hubId === x.hubId && a.applianceId === x.applianceId);
    // By hub, then kept to the customer's own appliances: another home's `fridge-1` is not theirs.
    const recentAlarms = hubIds.length === 0 ? [] : ctx.store.db.select().from(alarms).where(inArray(alarms.hubId, hubIds)).orderBy(desc(alarms.lastSeen)).limit(200).all().filter(owns).slice(0, 20);
    const openTickets = ctx.tickets.list({ customerId: customer.customerId, status: [...ACTIVE_STATUSES] });
    const recentContacts = ctx.outbox.list({ customerId: customer.customerId, limit: 10 }).map((t) => ({ ...t, payload: JSON.parse(t.payload) as unknown }));
    const appliances = owned.map((a) => {
      const active = recentAlarms.filter((x) => x.hubId === a.hubId && x.applianceId === a.applianceId && x.status !== 'cleared');
      return { ...a, health: active.length === 0 ? 'ok' : active.some((x) => x.severity === 'critical' || x.severity === 'safety') ? 'failing' : 'warning', activeAlarms: active.map((x) => x.title) };
    });
    const raised = recentAlarms.find((x) => x.status !== 'cleared');
    const lastContact = recentContacts[0];
    const likelyReason =
      openTickets[0] !== undefined
        ? { kind: 'open-ticket', ticketId: openTickets[0].ticketId, text: openTickets[0].title, slot: openTickets[0].slotStart }
        : raised !== undefined
          ? { kind: 'alarm', alarmKey: raised.alarmKey, text: raised.title }
          : lastContact !== undefined
            ? { kind: 'our-contact', taskId: lastContact.taskId, text: `we contacted them (${lastContact.purpose})` }
            : null;
    return { customer, matches: matches.length, likelyReason, appliances, openTickets, recentAlarms, recentContacts };
  });

  app.get<{ Querystring: { status?: string } }>('/api/v1/fleet/alerts', { config: SIGNED_IN,
    schema: { tags: ['fleet'], summary: 'Fleet red lights: one fault code on one model far above its baseline', querystring: { type: 'object', properties: { status: { type: 'string', enum: ['open', 'closed'] } } }, response: { 200: itemsOf(), ...errors } },
  }, async (request) => ({ items: ctx.fleet.list(request.query.status) }));

  app.post<{ Params: { alertId: string } }>('/api/v1/fleet/alerts/:alertId/close', { config: allow('manager', 'admin'),
    schema: { tags: ['fleet'], params: { type: 'object', properties: { alertId: { type: 'string', maxLength: 64 } } }, response: { 200: anyObject, ...errors } },
  }, async (request, reply) => {
    const r = ctx.store.db.update(fleetAlerts).set({ status: 'closed', updatedAt: ctx.clock.now() }).where(eq(fleetAlerts.alertId, request.params.alertId)).run();
    if (r.changes === 0) return sendProblem(reply, problem('GW_ERR_NOT_FOUND', `no fleet alert ${request.params.alertId}`, request.url));
    return { alertId: request.params.alertId, status: 'closed' };
  });
}
