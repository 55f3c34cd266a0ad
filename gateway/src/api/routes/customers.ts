import type { FastifyInstance } from 'fastify';
import { APPLIANCE_TYPES, ID_PATTERN_SOURCE } from '@forecare/firmware-contracts';
import type { GatewayContext } from '../../context.js';
import { GatewayError } from '../../errors.js';
import { allow } from '../auth.js';
import { anyObject, errors, idParam, itemsOf } from '../schemas.js';

const customerFields = {
  name: { type: 'string', minLength: 1, maxLength: 200 },
  phone: { type: 'string', minLength: 3, maxLength: 32, pattern: '^\\+?[0-9 ()./-]+$' },
  email: { type: 'string', maxLength: 200 },
  address: { type: 'string', maxLength: 500 },
  region: { type: 'string', maxLength: 100 },
  language: { type: 'string', enum: ['en', 'zh'] },
  channel: { type: 'string', enum: ['voice', 'sms', 'push'] },
  timezone: { type: 'string', maxLength: 64 },
  quietStart: { type: ['string', 'null'], pattern: '^([01]\\d|2[0-3]):[0-5]\\d$' },
  quietEnd: { type: ['string', 'null'], pattern: '^([01]\\d|2[0-3]):[0-5]\\d$' },
  /** The household's food digest hour, HH:MM in its time zone (null: the food rule's own, 08:00). */
  digestAt: { type: ['string', 'null'], pattern: '^([01]\\d|2[0-3]):[0-5]\\d$' },
  consentRepair: { type: 'boolean' },
  consentFood: { type: 'boolean' },
  consentMarketing: { type: 'boolean' },
  dailyCap: { type: 'integer', minimum: 0, maximum: 100 },
} as const;

type CustomerBody = { customerId?: string; name: string; phone: string; [k: string]: unknown };

function validTimeZone(tz: unknown): void {
  if (typeof tz !== 'string') return;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
  } catch {
    throw new GatewayError('GW_ERR_VALIDATION', `timezone "${tz}" is not an IANA time zone`);
  }
}

export function registerCustomerRoutes(app: FastifyInstance, ctx: GatewayContext): void {
  app.post<{ Body: CustomerBody }>('/api/v1/customers', { config: allow('dispatcher', 'manager', 'admin'),
    schema: {
      tags: ['customers'],
      summary: 'Register a customer with contact preferences',
      body: { type: 'object', additionalProperties: false, required: ['name', 'phone'], properties: { customerId: { type: 'string', pattern: ID_PATTERN_SOURCE }, ...customerFields } },
      response: { 201: anyObject, ...errors },
    },
  }, async (request, reply) => {
    validTimeZone(request.body.timezone);
    const c = ctx.customers.create(request.body as never);
    return reply.code(201).send(c);
  });

  app.get('/api/v1/customers', { config: allow('dispatcher', 'manager', 'admin'), schema: { tags: ['customers'], response: { 200: itemsOf(), ...errors } } }, async () => ({ items: ctx.customers.list() }));

  app.get<{ Params: { customerId: string } }>('/api/v1/customers/:customerId', { config: allow('dispatcher', 'manager', 'admin'), schema: { tags: ['customers'], params: idParam('customerId'), response: { 200: anyObject, ...errors } } }, async (request) => {
    const c = ctx.customers.require(request.params.customerId);
    return { ...c, appliances: ctx.customers.appliancesOfCustomer(c.customerId) };
  });

  app.patch<{ Params: { customerId: string }; Body: Record<string, unknown> }>('/api/v1/customers/:customerId', { config: allow('dispatcher', 'manager', 'admin'),
    schema: { tags: ['customers'], summary: 'Change contact details or preferences', params: idParam('customerId'), body: { type: 'object', additionalProperties: false, properties: customerFields }, response: { 200: anyObject, ...errors } },
  }, async (request) => {
    validTimeZone(request.body.timezone);
    return ctx.customers.update(request.params.customerId, request.body as never);
  });

  app.post<{ Body: { applianceId: string; hubId: string; customerId?: string; type: string; model?: string; serial?: string; installedAt?: number; warrantyUntil?: number } }>('/api/v1/appliances', { config: allow('dispatcher', 'manager', 'admin'),
    schema: {
      tags: ['customers'],
      summary: 'Register an appliance behind a hub (or update it) and link it to a customer; an appliance is (hubId, applianceId)',
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['applianceId', 'hubId', 'type'],
        properties: {
          applianceId: { type: 'string', pattern: ID_PATTERN_SOURCE },
          hubId: { type: 'string', pattern: ID_PATTERN_SOURCE },
          customerId: { type: 'string', minLength: 1, maxLength: 128 },
          type: { type: 'string', enum: [...APPLIANCE_TYPES] },
          model: { type: 'string', maxLength: 64 },
          serial: { type: 'string', maxLength: 64 },
          installedAt: { type: 'integer', minimum: 0 },
          warrantyUntil: { type: 'integer', minimum: 0 },
        },
      },
      response: { 201: anyObject, ...errors },
    },
  }, async (request, reply) => {
    if (ctx.hubs.get(request.body.hubId) === undefined) throw new GatewayError('GW_ERR_HUB_UNKNOWN', `hub ${request.body.hubId} is not provisioned`);
    // (hub, appliance) is the identity: another home's `fridge-1` is another appliance; the same one again updates it.
    return reply.code(201).send(ctx.customers.registerAppliance(request.body));
  });

  app.get<{ Querystring: { hubId?: string; customerId?: string } }>('/api/v1/appliances', { config: allow('dispatcher', 'manager', 'admin'),
    schema: { tags: ['customers'], querystring: { type: 'object', properties: { hubId: { type: 'string' }, customerId: { type: 'string' } } }, response: { 200: itemsOf(), ...errors } },
  }, async (request) => {
    const { hubId, customerId } = request.query;
    if (hubId !== undefined) return { items: ctx.customers.appliancesOfHub(hubId) };
    if (customerId !== undefined) return { items: ctx.customers.appliancesOfCustomer(customerId) };
    return { items: ctx.customers.allAppliances() };
  });
}
