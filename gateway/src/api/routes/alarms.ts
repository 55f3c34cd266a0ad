import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from '../../context.js';
import { GatewayError } from '../../errors.js';
import { SIGNED_IN, allow } from '../auth.js';
import { anyObject, errors, itemsOf } from '../schemas.js';

export function registerAlarmRoutes(app: FastifyInstance, ctx: GatewayContext): void {
  app.get<{ Querystring: { status?: string; all?: boolean; hubId?: string; applianceId?: string; limit?: number } }>('/api/v1/alarms', { config: SIGNED_IN,
    schema: {
      tags: ['alarms'],
      summary: 'Alarms; open ones (raised, acknowledged) unless all=true or a status list is given',
      querystring: { type: 'object', properties: { status: { type: 'string' }, all: { type: 'boolean' }, hubId: { type: 'string' }, applianceId: { type: 'string' }, limit: { type: 'integer', minimum: 1, maximum: 5000 } } },
      response: { 200: itemsOf(), ...errors },
    },
  }, async (request) => {
    const q = request.query;
    const status = q.status !== undefined ? q.status.split(',') : q.all === true ? undefined : ['raised', 'acknowledged'];
    return { items: ctx.alarms.list({ status, hubId: q.hubId, applianceId: q.applianceId, limit: q.limit }) };
  });

  app.get<{ Params: { alarmKey: string } }>('/api/v1/alarms/:alarmKey', { config: SIGNED_IN,
    schema: { tags: ['alarms'], params: { type: 'object', properties: { alarmKey: { type: 'string', maxLength: 400 } } }, response: { 200: anyObject, ...errors } },
  }, async (request) => {
    const alarm = ctx.alarms.get(request.params.alarmKey);
    if (alarm === undefined) throw new GatewayError('GW_ERR_ALARM_UNKNOWN', `no alarm ${request.params.alarmKey}`);
    return { ...alarm, history: ctx.alarms.history(alarm.alarmKey) };
  });

  app.post<{ Params: { alarmKey: string } }>('/api/v1/alarms/:alarmKey/ack', { config: allow('dispatcher', 'engineer', 'admin'),
    schema: { tags: ['alarms'], summary: 'Acknowledge an alarm (stops its escalation)', params: { type: 'object', properties: { alarmKey: { type: 'string', maxLength: 400 } } }, response: { 200: anyObject, ...errors } },
  }, async (request) => {
    const alarm = ctx.alarms.get(request.params.alarmKey);
    if (alarm === undefined) throw new GatewayError('GW_ERR_ALARM_UNKNOWN', `no alarm ${request.params.alarmKey}`);
    await ctx.runner.acknowledge(alarm.alarmKey);
    return ctx.alarms.get(alarm.alarmKey) ?? alarm;
  });
}
