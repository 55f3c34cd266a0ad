import { Type } from '@sinclair/typebox';
import { HubAlarmStore } from '../../store/alarm-store.js';
import { ACTIVE_STATUSES } from '../../tickets/lifecycle.js';
import { allow } from '../auth.js';
import { AlarmModel, ApplianceModel, CustomerModel, TaskModel } from '../models.js';
import type { ApiPlugin } from '../plugin.js';
import { Nullable, NullableObject, signedInErrors, StringEnum } from '../schemas.js';
import { TicketModel } from '../ticket-models.js';
import { taskView } from './contacts.js';

const str = Type.String();
const LikelyReason = NullableObject(Type.Union([
  Type.Object({ kind: Type.Literal('open-ticket'), ticketId: str, text: str, slot: Nullable(Type.Integer()) }),
  Type.Object({ kind: Type.Literal('alarm'), alarmKey: str, text: str }),
  Type.Object({ kind: Type.Literal('our-contact'), taskId: str, text: str }),
]));
const CallerContext = Type.Object({
  customer: NullableObject(CustomerModel),
  matches: Type.Integer({ description: 'how many customers have this phone number (the first is answered)' }),
  likelyReason: LikelyReason,
  appliances: Type.Array(Type.Object({ ...ApplianceModel.properties, health: StringEnum(['ok', 'warning', 'failing']), activeAlarms: Type.Array(str) })),
  openTickets: Type.Array(TicketModel),
  recentAlarms: Type.Array(AlarmModel),
  recentContacts: Type.Array(TaskModel),
});

/** /api/v1/context: who is calling, for the contact center's agent desktop. */
export const contextRoutes: ApiPlugin = async (app, { ctx }) => {
  const hubAlarms = new HubAlarmStore(ctx.store);
  app.get('', {
    config: allow('dispatcher', 'manager', 'admin'),
    schema: {
      tags: ['contact center'],
      operationId: 'getCallerContext',
      summary: 'Caller context for an inbound call',
      description: 'The customer, their appliances with health, open tickets, recent alarms and contacts, and the likely reason for the call.',
      querystring: Type.Object({ phone: Type.String({ minLength: 3, maxLength: 40 }) }),
      response: { 200: CallerContext, ...signedInErrors },
    },
  }, async (request) => {
    const matches = ctx.customers.findByPhone(request.query.phone);
    const customer = matches[0];
    if (customer === undefined) return { customer: null, matches: 0, likelyReason: null, appliances: [], openTickets: [], recentAlarms: [], recentContacts: [] };
    const owned = ctx.customers.appliancesOfCustomer(customer.customerId);
    const hubIds = [...new Set(owned.map((a) => a.hubId))];
    const owns = (x: { hubId: string; applianceId: string | null }): boolean => owned.some((a) => a.hubId === x.hubId && a.applianceId === x.applianceId);
    // By hub, then kept to the customer's own appliances: another home's `fridge-1` is not theirs.
    const recentAlarms = (await hubAlarms.recentOfHubs(hubIds, 200)).filter(owns).slice(0, 20);
    const openTickets = ctx.tickets.list({ customerId: customer.customerId, status: [...ACTIVE_STATUSES] });
    const recentContacts = ctx.outbox.list({ customerId: customer.customerId, limit: 10 }).map(taskView);
    const appliances = owned.map((a) => {
      const active = recentAlarms.filter((x) => x.hubId === a.hubId && x.applianceId === a.applianceId && x.status !== 'cleared');
      const health = active.length === 0 ? ('ok' as const) : active.some((x) => x.severity === 'critical' || x.severity === 'safety') ? ('failing' as const) : ('warning' as const);
      return { ...a, health, activeAlarms: active.map((x) => x.title) };
    });
    const raised = recentAlarms.find((x) => x.status !== 'cleared');
    const lastContact = recentContacts[0];
    const likelyReason =
      openTickets[0] !== undefined
        ? { kind: 'open-ticket' as const, ticketId: openTickets[0].ticketId, text: openTickets[0].title, slot: openTickets[0].slotStart }
        : raised !== undefined
          ? { kind: 'alarm' as const, alarmKey: raised.alarmKey, text: raised.title }
          : lastContact !== undefined
            ? { kind: 'our-contact' as const, taskId: lastContact.taskId, text: `we contacted them (${lastContact.purpose})` }
            : null;
    return { customer, matches: matches.length, likelyReason, appliances, openTickets, recentAlarms, recentContacts };
  });
};
