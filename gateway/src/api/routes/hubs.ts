import type { FastifyInstance } from 'fastify';
import { ID_PATTERN_SOURCE } from '@forecare/firmware-contracts';
import type { GatewayContext } from '../../context.js';
import { GatewayError } from '../../errors.js';
import { SIGNED_IN, allow } from '../auth.js';
import { anyObject, errors, idParam, itemsOf } from '../schemas.js';

const credentials = { type: 'object', required: ['hubId', 'username', 'password'], properties: { hubId: { type: 'string' }, username: { type: 'string' }, password: { type: 'string' } } } as const;

export function registerHubRoutes(app: FastifyInstance, ctx: GatewayContext): void {
  app.post<{ Body: { hubId?: string; customerId?: string } }>('/api/v1/hubs', { config: allow('admin'),
    schema: {
      tags: ['hubs'],
      summary: 'Provision a hub; its password is returned once and stored only as a salted hash',
      body: { type: 'object', additionalProperties: false, properties: { hubId: { type: 'string', pattern: ID_PATTERN_SOURCE }, customerId: { type: 'string', minLength: 1, maxLength: 128 } } },
      response: { 201: credentials, ...errors },
    },
  }, async (request, reply) => {
    if (request.body.customerId !== undefined) ctx.customers.require(request.body.customerId);
    const creds = await ctx.hubs.provision(request.body);
    request.log.info({ hubId: creds.hubId }, 'hub provisioned');
    return reply.code(201).send(creds);
  });

  app.get('/api/v1/hubs', { config: SIGNED_IN, schema: { tags: ['hubs'], summary: 'Provisioned hubs with their connection state', response: { 200: itemsOf(), ...errors } } }, async () => {
    const connected = new Set(ctx.broker.connectedHubIds());
    return { items: ctx.hubs.list().map((h) => ({ ...h, connected: connected.has(h.hubId) })) };
  });

  app.get<{ Params: { hubId: string } }>('/api/v1/hubs/:hubId', { config: SIGNED_IN, schema: { tags: ['hubs'], params: idParam('hubId'), response: { 200: anyObject, ...errors } } }, async (request) => {
    const hub = ctx.hubs.get(request.params.hubId);
    if (hub === undefined) throw new GatewayError('GW_ERR_HUB_UNKNOWN', `hub ${request.params.hubId} is not provisioned`);
    return { ...hub, connected: ctx.broker.connectedHubIds().includes(hub.hubId), appliances: ctx.customers.appliancesOfHub(hub.hubId) };
  });

  app.post<{ Params: { hubId: string } }>('/api/v1/hubs/:hubId/rotate', { config: allow('admin'),
    schema: { tags: ['hubs'], summary: 'New password for a hub; the old one stops working and the hub is disconnected', params: idParam('hubId'), response: { 200: credentials, ...errors } },
  }, async (request) => {
    const creds = await ctx.hubs.rotate(request.params.hubId);
    ctx.broker.disconnectHub(request.params.hubId);
    request.log.info({ hubId: creds.hubId }, 'hub credentials rotated');
    return creds;
  });

  app.delete<{ Params: { hubId: string } }>('/api/v1/hubs/:hubId', { config: allow('admin'),
    schema: { tags: ['hubs'], summary: 'Revoke a hub: it is disconnected and can no longer connect', params: idParam('hubId'), response: { 204: { type: 'null' }, ...errors } },
  }, async (request, reply) => {
    ctx.hubs.revoke(request.params.hubId);
    ctx.broker.disconnectHub(request.params.hubId);
    request.log.info({ hubId: request.params.hubId }, 'hub revoked');
    return reply.code(204).send();
  });
}
