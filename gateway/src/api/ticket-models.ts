import { Type } from '@sinclair/typebox';
import { AlarmEventModel, TaskWithAttemptsModel } from './models.js';
import { Nullable, NullableObject, StringEnum, Values } from './schemas.js';

/** Tickets as the API answers with them (see models.ts for why every field is listed). */

const int = Type.Integer();
const str = Type.String();
const time = Type.Integer({ description: 'epoch milliseconds' });

const ApplianceFacts = Type.Object({ applianceId: str, type: str, model: Nullable(str), serial: Nullable(str), installedAt: Nullable(time), warrantyUntil: Nullable(time), inWarranty: Nullable(Type.Boolean()) });
const CustomerFacts = { customerId: str, name: str, phone: str, address: str, region: str, language: str };

export const TicketDetailsModel = Type.Object({
  // The registry's current customer (with its time zone) replaces the snapshot when there is one.
  customer: NullableObject(Type.Object({ ...CustomerFacts, timeZone: Type.Optional(str) })),
  appliance: NullableObject(ApplianceFacts),
  fault: Type.Object({ code: Nullable(str), faultClass: str, meaning: str, severity: str, needsVisit: Type.Boolean(), likelyPart: Nullable(str) }),
  telemetryExcerpt: Type.Array(Type.Object({ at: time, metrics: Values })),
  facts: Values,
});

const TicketFields = {
  ticketId: str, status: str, hubId: str, applianceId: Nullable(str), customerId: Nullable(str), faultClass: str, faultCode: Nullable(str),
  severity: str, title: str, details: TicketDetailsModel, alarmKey: str, alarmCount: int, reopenCount: int,
  assignee: Nullable(str), team: Nullable(str), region: str, model: Nullable(str),
  slotStart: Nullable(time), slotEnd: Nullable(time), promisedBy: Nullable(time),
  openedAt: time, updatedAt: time, resolvedAt: Nullable(time), closedAt: Nullable(time),
  sla: Type.Object({ state: StringEnum(['ok', 'at-risk', 'breached']), reason: Nullable(str) }),
};
export const TicketModel = Type.Object(TicketFields);

/** Customer and appliance as the registry has them now (a customer linked later, a corrected model). */
export const CurrentFactsModel = Type.Object({
  customer: NullableObject(Type.Object({ ...CustomerFacts, timeZone: str })),
  appliance: NullableObject(ApplianceFacts),
});

/** A ticket after a change made from the console, with what the registry says now. */
export const TicketWithCurrentModel = Type.Object({ ...TicketFields, current: NullableObject(CurrentFactsModel) });

/** A ticket opened by hand: opened, or attached to (or reopening) the open one for the same appliance and fault class. */
export const OpenedTicketModel = Type.Object({ ...TicketFields, outcome: StringEnum(['opened', 'attached', 'reopened']) });

export const TicketEventModel = Type.Object({ id: int, ticketId: str, at: time, by: str, type: str, fromStatus: Nullable(str), toStatus: Nullable(str), note: Nullable(str) });

/** One ticket with everything its page shows. */
export const TicketPageModel = Type.Object({
  ...TicketFields,
  actions: Type.Array(str, { description: "what the caller's role may do in the ticket's state" }),
  resolutionCodes: Type.Array(str),
  events: Type.Array(TicketEventModel),
  alarmHistory: Type.Array(AlarmEventModel),
  contacts: Type.Array(TaskWithAttemptsModel),
});

const nullableStr = Nullable(str);
export const QueueItemModel = Type.Object({
  ticketId: str, status: str, severity: str, title: str, faultCode: nullableStr, faultClass: str, hubId: str, applianceId: nullableStr,
  applianceType: nullableStr, model: nullableStr, serial: nullableStr, customerId: nullableStr, customerName: nullableStr, region: str,
  assignee: nullableStr, team: nullableStr, openedAt: time, updatedAt: time, slotStart: Nullable(time), promisedBy: Nullable(time),
  alarmCount: int, breached: Type.Boolean(), urgent: Type.Boolean(),
});
