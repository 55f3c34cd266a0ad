import { Type } from '@sinclair/typebox';
import { ID_PATTERN_SOURCE } from '@forecare/firmware-contracts';
import { GatewayError } from '../../errors.js';
import { SIGNED_IN, allow } from '../auth.js';
import { ApplianceModel, HubModel } from '../models.js';
import type { ApiPlugin } from '../plugin.js';
import { IdParam, ItemsOf, NoContent, Strict, errors, signedInErrors } from '../schemas.js';

const Credentials = Type.Object({ hubId: Type.String(), username: Type.String(), password: Type.String({ description: 'shown once; only a salted scrypt hash is stored' }) });
const ConnectedHub = Type.Object({ ...HubModel.properties, connected: Type.Boolean() });
const ADMIN = allow('admin');

/** /api/v1/hubs: provisioning hubs and their MQTT credentials. */
export const hubRoutes: ApiPlugin = async (app, { ctx }) => {
  app.post('', {
    config: ADMIN,
    schema: {
      tags: ['hubs'],
      operationId: 'provisionHub',
      summary: 'Provision a hub; its password is returned once and stored only as a salted hash',
      body: Strict({ hubId: Type.Optional(Type.String({ pattern: ID_PATTERN_SOURCE })), customerId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })) }),
      response: { 201: Credentials, ...errors },
    },
  }, async (request, reply) => {
    if (request.body.customerId !== undefined) ctx.customers.require(request.body.customerId);
    const creds = await ctx.hubs.provision(request.body);
    request.log.info({ hubId: creds.hubId }, 'hub provisioned');
    return reply.code(201).send(creds);
  });

  app.get('', {
    config: SIGNED_IN,
    schema: { tags: ['hubs'], operationId: 'listHubs', summary: 'Provisioned hubs with their connection state', response: { 200: ItemsOf(ConnectedHub), ...signedInErrors } },
  }, async () => {
    const connected = new Set(ctx.broker.connectedHubIds());
    return { items: ctx.hubs.list().map((h) => ({ ...h, connected: connected.has(h.hubId) })) };
  });

  app.get('/:hubId', {
    config: SIGNED_IN,
    schema: {
      tags: ['hubs'],
      operationId: 'getHub',
      summary: 'One hub with its connection state and the appliances registered behind it',
      params: IdParam('hubId'),
      response: { 200: Type.Object({ ...ConnectedHub.properties, appliances: Type.Array(ApplianceModel) }), ...errors },
    },
  }, async (request) => {
    const hub = ctx.hubs.get(request.params.hubId);
    if (hub === undefined) throw new GatewayError('GW_ERR_HUB_UNKNOWN', `hub ${request.params.hubId} is not provisioned`);
    return { ...hub, connected: ctx.broker.connectedHubIds().includes(hub.hubId), appliances: ctx.customers.appliancesOfHub(hub.hubId) };
  });

  app.post('/:hubId/rotate', {
    config: ADMIN,
    schema: { tags: ['hubs'], operationId: 'rotateHubPassword', summary: 'New password for a hub; the old one stops working and the hub is disconnected', params: IdParam('hubId'), response: { 200: Credentials, ...errors } },
  }, async (request) => {
    const creds = await ctx.hubs.rotate(request.params.hubId);
    ctx.broker.disconnectHub(request.params.hubId);
    request.log.info({ hubId: creds.hubId }, 'hub credentials rotated');
    return creds;
  });

  app.delete('/:hubId', {
    config: ADMIN,
    schema: { tags: ['hubs'], operationId: 'revokeHub', summary: 'Revoke a hub: it is disconnected and can no longer connect', params: IdParam('hubId'), response: { 204: NoContent, ...errors } },
  }, async (request, reply) => {
    ctx.hubs.revoke(request.params.hubId);
    ctx.broker.disconnectHub(request.params.hubId);
    request.log.info({ hubId: request.params.hubId }, 'hub revoked');
    return reply.code(204).send(null);
  });
};
