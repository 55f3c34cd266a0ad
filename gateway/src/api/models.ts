import { Type } from '@sinclair/typebox';
import { List, Nullable, Values } from './schemas.js';

/**
 * What the API answers with, one schema per kind of record. Each lists every field its record
 * has (a response schema is also the serializer: a field it does not list is not sent), and
 * models.test.ts checks the lists against the records' TypeScript types.
 */

const int = Type.Integer();
const str = Type.String();
const time = Type.Integer({ description: 'epoch milliseconds' });

export const CustomerModel = Type.Object({
  customerId: str, name: str, phone: str, email: Nullable(str), address: str, region: str, language: str, channel: str, timezone: str,
  quietStart: Nullable(str), quietEnd: Nullable(str), digestAt: Nullable(str),
  consentRepair: Type.Boolean(), consentFood: Type.Boolean(), consentMarketing: Type.Boolean(), dailyCap: int,
  phoneInvalidAt: Nullable(time), phoneTail: Type.String({ description: 'the last 7 digits of the phone number, what callers are found by' }), createdAt: time,
});

export const ApplianceModel = Type.Object({
  hubId: str, applianceId: str, customerId: Nullable(str), type: str, model: Nullable(str), serial: Nullable(str),
  installedAt: Nullable(time), warrantyUntil: Nullable(time), createdAt: time, lastSeenAt: Nullable(time),
});

export const HubModel = Type.Object({ hubId: str, customerId: Nullable(str), createdAt: time, rotatedAt: Nullable(time), revokedAt: Nullable(time), lastSeenAt: Nullable(time) });

export const AlarmModel = Type.Object({
  alarmKey: str, ruleId: str, ruleVersion: int, hubId: str, applianceId: Nullable(str), key: str, status: str, severity: str, title: str,
  count: int, level: int, firstSeen: time, lastSeen: time, updatedAt: time, ticketId: Nullable(str),
});

/** One alarm transition as the rules engine emitted it. */
export const AlarmEventModel = Type.Object({
  transition: str, alarmKey: str, ruleId: str, ruleVersion: int, hubId: str,
  applianceId: Type.Optional(str), applianceType: Type.Optional(str), key: str, severity: str,
  raises: List(str), title: str, at: time, count: int, firstSeen: time, lastSeen: time, level: int,
  fault: Type.Optional(Type.Object({ code: str, faultClass: str })),
  reason: Type.Optional(Type.String({ description: "'manual' when a person cleared it" })), by: Type.Optional(Type.String({ description: 'who cleared it by hand' })),
  items: Type.Optional(List(Type.Object({ itemId: str, name: str, expiresAt: time, expired: Type.Boolean() }))),
  facts: Type.Optional(Values),
});

export const DeliveryAttemptModel = Type.Object({ id: int, taskId: str, at: time, status: Nullable(int), error: Nullable(str), durationMs: int });

const TaskFields = {
  taskId: str, purpose: str, status: str, ticketId: Nullable(str), customerId: Nullable(str), hubId: str, applianceId: Nullable(str),
  channel: str, urgency: str,
  payload: Type.Record(Type.String(), Type.Unknown(), { description: 'the task as it is sent to the contact center (gateway/docs/contact-center-api.yaml)' }),
  attempts: int, nextAttemptAt: time, lastError: Nullable(str), lastStatus: Nullable(int), createdAt: time,
  deliveredAt: Nullable(time), outcome: Nullable(str), outcomeAt: Nullable(time),
};
/** A contact task (outbox row) with its payload parsed. */
export const TaskModel = Type.Object(TaskFields);
/** …with its delivery attempts, newest last. */
export const TaskWithAttemptsModel = Type.Object({ ...TaskFields, attempts: Type.Array(DeliveryAttemptModel) });

export const UserModel = Type.Object({ username: str, role: str, createdAt: time, disabledAt: Nullable(time) });

export const FleetAlertModel = Type.Object({
  alertId: str, model: str, faultCode: str, status: str, affected: int,
  baselinePerHour: Type.Integer({ description: 'the baseline rate, in thousandths of a raise per hour' }), windowMs: int, openedAt: time, updatedAt: time,
});

export const FleetAlertWithAppliancesModel = Type.Object({
  ...FleetAlertModel.properties,
  appliances: Type.Array(Type.Object({ hubId: str, applianceId: str, lastRaised: time }), { description: 'the appliances that raised it, latest first (at most 50)' }),
});

export const DeadLetterModel = Type.Object({
  id: int, receivedAt: time, hubId: Nullable(str), clientId: Nullable(str), topic: str, reason: str,
  errors: List(Type.Object({ pointer: Type.String({ description: "JSON pointer into the payload; '' is the whole payload" }), message: str }), { description: 'why the message was refused' }),
  payload: Nullable(Type.String({ description: 'the message as received, as UTF-8, cut at 4096 characters' })),
});

export const TelemetryPointModel = Type.Object({ at: time, metrics: Values });
