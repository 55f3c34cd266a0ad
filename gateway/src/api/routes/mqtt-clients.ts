import type { FastifyInstance } from 'fastify';
import { ID_PATTERN_SOURCE } from '@forecare/firmware-contracts';
import type { GatewayContext } from '../../context.js';
import { MQTT_CLIENT_ROLES, type MqttClientRole } from '../../hubs/mqtt-client-registry.js';
import { allow } from '../auth.js';
import { errors, idParam, itemsOf } from '../schemas.js';

const role = { type: 'string', enum: [...MQTT_CLIENT_ROLES], description: 'service: subscribe under forecare/v1/ (fleet topics); admin: subscribe to anything, $SYS/# included. Both are read-only.' } as const;
const credentials = {
  type: 'object',
  required: ['name', 'role', 'username', 'password'],
  properties: { name: { type: 'string' }, role, username: { type: 'string', description: '{role}:{name}, the MQTT username' }, password: { type: 'string', description: 'shown once; only a salted scrypt hash is stored' } },
} as const;
const record = {
  type: 'object',
  required: ['name', 'role', 'username', 'createdAt', 'connected'],
  properties: {
    name: { type: 'string' },
    role,
    username: { type: 'string' },
    createdAt: { type: 'integer' },
    rotatedAt: { type: ['integer', 'null'] },
    revokedAt: { type: ['integer', 'null'] },
    connected: { type: 'boolean' },
  },
} as const;

/**
 * MQTT accounts for integrations and operators. They never publish: only hubs publish (each
 * under its own prefix) and only the gateway publishes notices and `$SYS`.
 */
export function registerMqttClientRoutes(app: FastifyInstance, ctx: GatewayContext): void {
  app.post<{ Body: { name: string; role: MqttClientRole } }>('/api/v1/mqtt-clients', { config: allow('admin'),
    schema: {
      tags: ['mqtt-clients'],
      summary: 'Provision a read-only MQTT account (service or admin role); its password is returned once',
      body: { type: 'object', required: ['name', 'role'], additionalProperties: false, properties: { name: { type: 'string', pattern: ID_PATTERN_SOURCE }, role } },
      response: { 201: credentials, ...errors },
    },
  }, async (request, reply) => {
    const creds = await ctx.mqttClients.provision(request.body);
    request.log.info({ account: creds.name, role: creds.role }, 'mqtt client provisioned');
    return reply.code(201).send(creds);
  });

  app.get('/api/v1/mqtt-clients', { config: allow('admin'), schema: { tags: ['mqtt-clients'], summary: 'Service and admin MQTT accounts with their connection state', response: { 200: itemsOf(record), ...errors } } }, async () => {
    const connected = new Set([...ctx.broker.connectedNames('service'), ...ctx.broker.connectedNames('admin')]);
    return { items: ctx.mqttClients.list().map((c) => ({ ...c, connected: connected.has(c.name) })) };
  });

  app.post<{ Params: { name: string } }>('/api/v1/mqtt-clients/:name/rotate', { config: allow('admin'),
    schema: { tags: ['mqtt-clients'], summary: 'New password for an MQTT account; the old one stops working and its connections are closed', params: idParam('name'), response: { 200: credentials, ...errors } },
  }, async (request) => {
    const creds = await ctx.mqttClients.rotate(request.params.name);
    ctx.broker.disconnect(creds.role, creds.name);
    request.log.info({ account: creds.name, role: creds.role }, 'mqtt client credentials rotated');
    return creds;
  });

  app.delete<{ Params: { name: string } }>('/api/v1/mqtt-clients/:name', { config: allow('admin'),
    schema: { tags: ['mqtt-clients'], summary: 'Revoke an MQTT account: its connections are closed and it can no longer connect', params: idParam('name'), response: { 204: { type: 'null' }, ...errors } },
  }, async (request, reply) => {
    const revoked = ctx.mqttClients.revoke(request.params.name);
    ctx.broker.disconnect(revoked.role, revoked.name);
    request.log.info({ account: revoked.name, role: revoked.role }, 'mqtt client revoked');
    return reply.code(204).send();
  });
}
