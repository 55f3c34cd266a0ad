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

  // Clearing says "handled" for an alarm whose condition may still hold: not for dispatchers, who
  // acknowledge. The alarm's ticket is left as it is (someone may be working it): see the README, Console and API.
  app.post<{ Params: { alarmKey: string } }>('/api/v1/alarms/:alarmKey/clear', { config: allow('engineer', 'manager', 'admin'),
    schema: { tags: ['alarms'], summary: 'Clear an open alarm by hand (the rule may raise a new one while its condition holds)', params: { type: 'object', properties: { alarmKey: { type: 'string', maxLength: 400 } } }, response: { 200: anyObject, ...errors } },
  }, async (request) => {
    const alarm = ctx.alarms.get(request.params.alarmKey);
    if (alarm === undefined) throw new GatewayError('GW_ERR_ALARM_UNKNOWN', `no alarm ${request.params.alarmKey}`);
    if (alarm.status === 'cleared') throw new GatewayError('GW_ERR_ALARM_CLEARED', `alarm ${alarm.alarmKey} is cleared already`);
    // The engine is the judge: of two clears racing, the one it takes second finds no open alarm.
    const events = await ctx.runner.clear(alarm.alarmKey, request.caller?.username ?? 'api');
    if (events.length === 0) throw new GatewayError('GW_ERR_ALARM_CLEARED', `alarm ${alarm.alarmKey} is no longer open`);
    return ctx.alarms.get(alarm.alarmKey) ?? alarm;
  });
}
