import { Type } from '@sinclair/typebox';
import { GatewayError } from '../../errors.js';
import { SIGNED_IN, allow } from '../auth.js';
import { AlarmEventModel, AlarmModel } from '../models.js';
import type { ApiPlugin } from '../plugin.js';
import { ItemsOf, changeErrors, errors, signedInErrors } from '../schemas.js';

const AlarmKeyParam = Type.Object({ alarmKey: Type.String({ minLength: 1, maxLength: 400 }) });

/** /api/v1/alarms: what the rules raised, and acknowledging it. */
export const alarmRoutes: ApiPlugin = async (app, { ctx }) => {
  app.get('', {
    config: SIGNED_IN,
    schema: {
      tags: ['alarms'],
      operationId: 'listAlarms',
      summary: 'Alarms; open ones (raised, acknowledged) unless all=true or a status list is given',
      querystring: Type.Object({
        status: Type.Optional(Type.String({ maxLength: 200 })),
        all: Type.Optional(Type.Boolean()),
        hubId: Type.Optional(Type.String({ maxLength: 128 })),
        applianceId: Type.Optional(Type.String({ maxLength: 128 })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })),
      }),
      response: { 200: ItemsOf(AlarmModel), ...signedInErrors },
    },
  }, async (request) => {
    const q = request.query;
    const status = q.status !== undefined ? q.status.split(',') : q.all === true ? undefined : ['raised', 'acknowledged'];
    return { items: ctx.alarms.list({ status, hubId: q.hubId, applianceId: q.applianceId, limit: q.limit }) };
  });

  app.get('/:alarmKey', {
    config: SIGNED_IN,
    schema: {
      tags: ['alarms'],
      operationId: 'getAlarm',
      summary: 'One alarm with its history of transitions',
      params: AlarmKeyParam,
      response: { 200: Type.Object({ ...AlarmModel.properties, history: Type.Array(AlarmEventModel) }), ...errors },
    },
  }, async (request) => {
    const alarm = ctx.alarms.get(request.params.alarmKey);
    if (alarm === undefined) throw new GatewayError('GW_ERR_ALARM_UNKNOWN', `no alarm ${request.params.alarmKey}`);
    return { ...alarm, history: ctx.alarms.history(alarm.alarmKey) };
  });

  app.post('/:alarmKey/ack', {
    config: allow('dispatcher', 'engineer', 'admin'),
    schema: { tags: ['alarms'], operationId: 'acknowledgeAlarm', summary: 'Acknowledge an alarm (stops its escalation)', params: AlarmKeyParam, response: { 200: AlarmModel, ...changeErrors } },
  }, async (request) => {
    const alarm = ctx.alarms.get(request.params.alarmKey);
    if (alarm === undefined) throw new GatewayError('GW_ERR_ALARM_UNKNOWN', `no alarm ${request.params.alarmKey}`);
    await ctx.runner.acknowledge(alarm.alarmKey);
    return ctx.alarms.get(alarm.alarmKey) ?? alarm;
  });

  // Clearing says "handled" for an alarm whose condition may still hold: not for dispatchers, who
  // acknowledge. The alarm's ticket is left as it is (someone may be working it): see the README, Console and API.
  app.post('/:alarmKey/clear', {
    config: allow('engineer', 'manager', 'admin'),
    schema: { tags: ['alarms'], operationId: 'clearAlarm', summary: 'Clear an open alarm by hand (the rule may raise a new one while its condition holds)', params: AlarmKeyParam, response: { 200: AlarmModel, ...changeErrors } },
  }, async (request) => {
    const alarm = ctx.alarms.get(request.params.alarmKey);
    if (alarm === undefined) throw new GatewayError('GW_ERR_ALARM_UNKNOWN', `no alarm ${request.params.alarmKey}`);
    if (alarm.status === 'cleared') throw new GatewayError('GW_ERR_ALARM_CLEARED', `alarm ${alarm.alarmKey} is cleared already`);
    // The engine is the judge: of two clears racing, the one it takes second finds no open alarm.
    const events = await ctx.runner.clear(alarm.alarmKey, request.caller?.username ?? 'api');
    if (events.length === 0) throw new GatewayError('GW_ERR_ALARM_CLEARED', `alarm ${alarm.alarmKey} is no longer open`);
    return ctx.alarms.get(alarm.alarmKey) ?? alarm;
  });
};
