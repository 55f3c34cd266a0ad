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
};
