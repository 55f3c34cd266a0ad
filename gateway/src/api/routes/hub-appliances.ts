import { Type } from '@sinclair/typebox';
import { applianceSpec } from '@forecare/firmware-contracts';
import { GatewayError } from '../../errors.js';
import { AlarmEventStore } from '../../store/alarm-event-store.js';
import { OutboxStore } from '../../store/outbox-store.js';
import { TelemetryStore } from '../../store/telemetry-store.js';
import { allow } from '../auth.js';
import { AlarmModel, TelemetryPointModel } from '../models.js';
import type { ApiPlugin } from '../plugin.js';
import { ItemsOf, Nullable, NullableObject, Strict, errors } from '../schemas.js';

const str = Type.String();
const time = Type.Integer({ description: 'epoch milliseconds' });
const Params = Type.Object({ hubId: Type.String({ minLength: 1, maxLength: 64 }), applianceId: Type.String({ minLength: 1, maxLength: 64 }) });
const Range = Strict({ from: Type.Optional(Type.Integer({ minimum: 0 })), to: Type.Optional(Type.Integer({ minimum: 0 })) });
const HOURS_6 = 6 * 3_600_000;
// Engineers read appliances too: their telemetry is what their rules run on.
const READERS = allow('dispatcher', 'engineer', 'manager', 'admin');

const AppliancePage = Type.Object({
  hubId: str, applianceId: str, type: Nullable(str), model: Nullable(str), serial: Nullable(str),
  customer: NullableObject(Type.Object({ customerId: str, name: str, phone: str, address: str, region: str, timeZone: str, language: str })),
  latest: NullableObject(TelemetryPointModel),
  units: Type.Record(Type.String(), Type.String(), { description: 'the unit of each metric (the chart puts each unit on an axis of its own)' }),
  range: Type.Object({ from: time, to: time }),
  markers: Type.Array(Type.Object({ at: time, kind: Type.String({ description: 'fault, or the alarm transition' }), label: str, alarmKey: str })),
  alarms: Type.Array(AlarmModel),
  tickets: Type.Array(Type.Object({ ticketId: str, status: str, severity: str, title: str, openedAt: time, assignee: Nullable(str), sla: str })),
  contacts: Type.Array(Type.Object({
    taskId: str, purpose: str, status: str, channel: str, urgency: str, ticketId: Nullable(str), outcome: Nullable(str), lastError: Nullable(str), createdAt: time, deliveredAt: Nullable(time),
  })),
});

/** /api/v1/hubs/:hubId/appliances: one appliance behind a hub, for its page and its chart. */
export const hubApplianceRoutes: ApiPlugin = async (app, { ctx }) => {
  const telemetry = new TelemetryStore(ctx.store);
  const alarmEvents = new AlarmEventStore(ctx.store);
  const contacts = new OutboxStore(ctx.store);

  app.get('/:applianceId', {
    config: READERS,
    schema: {
      tags: ['customers'],
      operationId: 'getAppliancePage',
      summary: 'An appliance page: registry data, customer, latest values with units, markers, alarms, tickets, contacts',
      description: 'Fault and alarm markers are those in [from, to] (default the last 6 h).',
      params: Params,
      querystring: Range,
      response: { 200: AppliancePage, ...errors },
    },
  }, async (request) => {
    const { hubId, applianceId } = request.params;
    const a = ctx.customers.appliance(hubId, applianceId);
    const last = await telemetry.latest(hubId, applianceId);
    if (a === undefined && last === undefined) throw new GatewayError('GW_ERR_APPLIANCE_UNKNOWN', `no appliance ${applianceId} under hub ${hubId}`);
    const to = request.query.to ?? ctx.clock.now();
    const from = request.query.from ?? to - HOURS_6;
    if (from > to) throw new GatewayError('GW_ERR_VALIDATION', 'from is after to');
    const customerId = a?.customerId ?? ctx.customers.customerOfHub(hubId)?.customerId;
    const customer = customerId == null ? undefined : ctx.customers.get(customerId);
    const spec = a === undefined ? undefined : applianceSpec(a.type);
    const units = Object.fromEntries((spec?.metrics ?? []).map((m) => [m.name, m.unit]));
    const markers = (await alarmEvents.ofAppliance(hubId, applianceId, from, to, 500)).map((m) => ({
      at: m.at,
      kind: m.faultCode !== undefined && m.transition === 'raised' ? 'fault' : m.transition,
      label: m.faultCode ?? m.title ?? m.ruleId,
      alarmKey: m.alarmKey,
    }));
    return {
      hubId,
      applianceId,
      type: a?.type ?? null,
      model: a?.model ?? null,
      serial: a?.serial ?? null,
      customer: customer === undefined ? null : { customerId: customer.customerId, name: customer.name, phone: customer.phone, address: customer.address, region: customer.region, timeZone: customer.timezone, language: customer.language },
      latest: last ?? null,
      units,
      range: { from, to },
      markers,
      alarms: ctx.alarms.list({ hubId, applianceId, limit: 50 }),
      tickets: ctx.tickets.list({ hubId, applianceId, limit: 50 }).map((t) => ({ ticketId: t.ticketId, status: t.status, severity: t.severity, title: t.title, openedAt: t.openedAt, assignee: t.assignee, sla: t.sla.state })),
      contacts: await contacts.ofAppliance(hubId, applianceId, 50),
    };
  });

  app.get('/:applianceId/telemetry', {
    config: READERS,
    schema: {
      tags: ['customers'],
      operationId: 'getApplianceTelemetry',
      summary: "An appliance's recent telemetry (the chart history, one point per 10 s at most)",
      description: 'Points in [from, to] (default the last 6 h), oldest first, at most 5000.',
      params: Params,
      querystring: Type.Object({ from: Type.Optional(Type.Integer({ minimum: 0 })), to: Type.Optional(Type.Integer({ minimum: 0 })) }),
      response: { 200: ItemsOf(TelemetryPointModel), ...errors },
    },
  }, async (request) => {
    const to = request.query.to ?? ctx.clock.now();
    const from = request.query.from ?? to - HOURS_6;
    return { items: await telemetry.range(request.params.hubId, request.params.applianceId, from, to, 5000) };
  });
};
