import { Type } from '@sinclair/typebox';
import { ID_PATTERN_SOURCE } from '@forecare/firmware-contracts';
import { MQTT_CLIENT_ROLES } from '../../hubs/mqtt-client-registry.js';
import { allow } from '../auth.js';
import type { ApiPlugin } from '../plugin.js';
import { changeErrors, errors, IdParam, ItemsOf, NoContent, Nullable, signedInErrors, Strict, StringEnum } from '../schemas.js';

const Role = StringEnum(MQTT_CLIENT_ROLES, {
  description: 'service: subscribe under forecare/v1/ (fleet topics); admin: subscribe to anything, $SYS/# included. Both are read-only.',
});
const Credentials = Type.Object({
  name: Type.String(),
  role: Role,
  username: Type.String({ description: '{role}:{name}, the MQTT username' }),
  password: Type.String({ description: 'shown once; only a salted scrypt hash is stored' }),
});
const time = Type.Integer({ description: 'epoch milliseconds' });
const Account = Type.Object({ name: Type.String(), role: Role, username: Type.String(), createdAt: time, rotatedAt: Nullable(time), revokedAt: Nullable(time), connected: Type.Boolean() });
const ADMIN = allow('admin');

/**
 * /api/v1/mqtt-clients: MQTT accounts for integrations and operators. They never publish: only
 * hubs publish (each under its own prefix) and only the gateway publishes notices and `$SYS`.
 */
export const mqttClientRoutes: ApiPlugin = async (app, { ctx }) => {
  app.post('', {
    config: ADMIN,
    schema: {
      tags: ['mqtt-clients'],
      operationId: 'provisionMqttClient',
      summary: 'Provision a read-only MQTT account (service or admin role); its password is returned once',
      body: Strict({ name: Type.String({ pattern: ID_PATTERN_SOURCE }), role: Role }),
      response: { 201: Credentials, ...changeErrors },
    },
  }, async (request, reply) => {
    const creds = await ctx.mqttClients.provision(request.body);
    request.log.info({ account: creds.name, role: creds.role }, 'mqtt client provisioned');
    return reply.code(201).send(creds);
  });

  app.get('', {
    config: ADMIN,
    schema: { tags: ['mqtt-clients'], operationId: 'listMqttClients', summary: 'Service and admin MQTT accounts with their connection state', response: { 200: ItemsOf(Account), ...signedInErrors } },
  }, async () => {
    const connected = new Set([...ctx.broker.connectedNames('service'), ...ctx.broker.connectedNames('admin')]);
    return { items: ctx.mqttClients.list().map((c) => ({ ...c, connected: connected.has(c.name) })) };
  });

  app.post('/:name/rotate', {
    config: ADMIN,
    schema: { tags: ['mqtt-clients'], operationId: 'rotateMqttClientPassword', summary: 'New password for an MQTT account; the old one stops working and its connections are closed', params: IdParam('name'), response: { 200: Credentials, ...errors } },
  }, async (request) => {
    const creds = await ctx.mqttClients.rotate(request.params.name);
    ctx.broker.disconnect(creds.role, creds.name);
    request.log.info({ account: creds.name, role: creds.role }, 'mqtt client credentials rotated');
    return creds;
  });

  app.delete('/:name', {
    config: ADMIN,
    schema: { tags: ['mqtt-clients'], operationId: 'revokeMqttClient', summary: 'Revoke an MQTT account: its connections are closed and it can no longer connect', params: IdParam('name'), response: { 204: NoContent, ...errors } },
  }, async (request, reply) => {
    const revoked = ctx.mqttClients.revoke(request.params.name);
    ctx.broker.disconnect(revoked.role, revoked.name);
    request.log.info({ account: revoked.name, role: revoked.role }, 'mqtt client revoked');
    return reply.code(204).send(null);
  });
};
