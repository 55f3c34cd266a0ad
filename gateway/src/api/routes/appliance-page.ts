import type { FastifyInstance } from 'fastify';
import { applianceSpec } from '@forecare/firmware-contracts';
import type { GatewayContext } from '../../context.js';
import { GatewayError } from '../../errors.js';
import { allow } from '../auth.js';
import { errors } from '../schemas.js';

const params = { type: 'object', required: ['hubId', 'applianceId'], properties: { hubId: { type: 'string', minLength: 1, maxLength: 64 }, applianceId: { type: 'string', minLength: 1, maxLength: 64 } } } as const;
const obj = { type: 'object', additionalProperties: true } as const;
const arr = { type: 'array', items: obj } as const;

/**
 * One appliance, for its page: what the registry knows, its customer, the latest values with
 * their units (the chart puts each unit on an axis of its own), the faults and alarms in a time
 * range (the chart's markers), its alarms, tickets and contacts.
 */
export function registerAppliancePageRoutes(app: FastifyInstance, ctx: GatewayContext): void {
  const sqlite = ctx.store.sqlite;
  const latest = sqlite.prepare('SELECT at, metrics FROM telemetry WHERE hub_id = ? AND appliance_id = ? ORDER BY at DESC LIMIT 1');
  const marks = sqlite.prepare('SELECT at, transition, rule_id AS ruleId, alarm_key AS alarmKey, event FROM alarm_events WHERE hub_id = ? AND appliance_id = ? AND at >= ? AND at <= ? ORDER BY at LIMIT 500');
  const contacts = sqlite.prepare(
    'SELECT task_id AS taskId, purpose, status, channel, urgency, ticket_id AS ticketId, outcome, last_error AS lastError, created_at AS createdAt, delivered_at AS deliveredAt FROM outbox WHERE hub_id = ? AND (appliance_id = ? OR appliance_id IS NULL) ORDER BY created_at DESC LIMIT 50',
  );

  app.get<{ Params: { hubId: string; applianceId: string }; Querystring: { from?: number; to?: number } }>('/api/v1/hubs/:hubId/appliances/:applianceId', { config: allow('dispatcher', 'engineer', 'manager', 'admin'),
    schema: {
      tags: ['customers'],
      summary: 'An appliance page: registry data, customer, latest values with units, fault and alarm markers in [from, to] (default the last 6 h), alarms, tickets, contacts',
      params,
      querystring: { type: 'object', additionalProperties: false, properties: { from: { type: 'integer', minimum: 0 }, to: { type: 'integer', minimum: 0 } } },
      response: {
        200: {
          type: 'object',
          properties: {
            hubId: { type: 'string' }, applianceId: { type: 'string' }, type: { type: ['string', 'null'] }, model: { type: ['string', 'null'] }, serial: { type: ['string', 'null'] },
            customer: { type: ['object', 'null'], additionalProperties: true },
            latest: { type: ['object', 'null'], properties: { at: { type: 'integer' }, metrics: obj } },
            units: { type: 'object', additionalProperties: { type: 'string' } },
            range: { type: 'object', properties: { from: { type: 'integer' }, to: { type: 'integer' } } },
            markers: { type: 'array', items: { type: 'object', properties: { at: { type: 'integer' }, kind: { type: 'string' }, label: { type: 'string' }, alarmKey: { type: 'string' } } } },
            alarms: arr, tickets: arr, contacts: arr,
          },
        },
        ...errors,
      },
    },
  }, async (request) => {
    const { hubId, applianceId } = request.params;
    const a = ctx.customers.appliance(hubId, applianceId);
    const last = latest.get(hubId, applianceId) as { at: number; metrics: string } | undefined;
    if (a === undefined && last === undefined) throw new GatewayError('GW_ERR_APPLIANCE_UNKNOWN', `no appliance ${applianceId} under hub ${hubId}`);
    const to = request.query.to ?? ctx.clock.now();
    const from = request.query.from ?? to - 6 * 3_600_000;
    if (from > to) throw new GatewayError('GW_ERR_VALIDATION', 'from is after to');
    const customerId = a?.customerId ?? ctx.customers.customerOfHub(hubId)?.customerId;
    const customer = customerId == null ? undefined : ctx.customers.get(customerId);
    const spec = a === undefined ? undefined : applianceSpec(a.type);
    const units = Object.fromEntries((spec?.metrics ?? []).map((m) => [m.name, m.unit]));
    const markers = (marks.all(hubId, applianceId, from, to) as { at: number; transition: string; ruleId: string; alarmKey: string; event: string }[]).map((m) => {
      const e = JSON.parse(m.event) as { title?: string; fault?: { code?: string } };
      const fault = e.fault?.code;
      return { at: m.at, kind: fault !== undefined && m.transition === 'raised' ? 'fault' : m.transition, label: fault ?? e.title ?? m.ruleId, alarmKey: m.alarmKey };
    });
    return {
      hubId,
      applianceId,
      type: a?.type ?? null,
      model: a?.model ?? null,
      serial: a?.serial ?? null,
      customer: customer === undefined ? null : { customerId: customer.customerId, name: customer.name, phone: customer.phone, address: customer.address, region: customer.region, timeZone: customer.timezone, language: customer.language },
      latest: last === undefined ? null : { at: last.at, metrics: JSON.parse(last.metrics) as Record<string, unknown> },
      units,
      range: { from, to },
      markers,
      alarms: ctx.alarms.list({ hubId, applianceId, limit: 50 }),
      tickets: ctx.tickets.list({ hubId, applianceId, limit: 50 }).map((t) => ({ ticketId: t.ticketId, status: t.status, severity: t.severity, title: t.title, openedAt: t.openedAt, assignee: t.assignee, sla: t.sla.state })),
      contacts: contacts.all(hubId, applianceId),
    };
  });
}
