/**
 * The gateway's tables on PostgreSQL (drizzle-orm's pg dialect), for several gateway nodes
 * sharing one system of record. The same tables as the SQLite schema (../schema.ts), column
 * for column, so both stores answer the ports alike; migrations under gateway/drizzle-pg are
 * generated from this file (`npm run db:generate:pg -w gateway`) and committed. Times are epoch
 * milliseconds as bigint, read back as numbers. The journal is not here: a cluster's journal is
 * the JetStream stream. What only a cluster has — partition leases and their fencing tokens,
 * the nodes' heartbeats, the rule engine's state per partition — is at the end.
 */
import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, customType, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

const ms = (name: string) => bigint(name, { mode: 'number' });
const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

export const hubs = pgTable('hubs', {
  hubId: text('hub_id').primaryKey(),
  passwordHash: text('password_hash').notNull(),
  customerId: text('customer_id'),
  createdAt: ms('created_at').notNull(),
  rotatedAt: ms('rotated_at'),
  revokedAt: ms('revoked_at'),
  lastSeenAt: ms('last_seen_at'),
});

export const customers = pgTable('customers', {
  customerId: text('customer_id').primaryKey(),
  name: text('name').notNull(),
  phone: text('phone').notNull(),
  email: text('email'),
  address: text('address').notNull().default(''),
  region: text('region').notNull().default(''),
  language: text('language').notNull().default('en'),
  channel: text('channel').notNull().default('voice'),
  timezone: text('timezone').notNull().default('UTC'),
  quietStart: text('quiet_start'),
  quietEnd: text('quiet_end'),
  /** When the household's food digest is judged, 'HH:MM' in its time zone; null = the food rule's own hour. */
  digestAt: text('digest_at'),
  consentRepair: boolean('consent_repair').notNull().default(true),
  consentFood: boolean('consent_food').notNull().default(true),
  consentMarketing: boolean('consent_marketing').notNull().default(false),
  dailyCap: integer('daily_cap').notNull().default(3),
  phoneInvalidAt: ms('phone_invalid_at'),
  phoneTail: text('phone_tail').notNull().default(''),
  createdAt: ms('created_at').notNull(),
}, (t) => [index('customers_phone').on(t.phone), index('customers_phone_tail').on(t.phoneTail)]);

/** An appliance id is unique only within its hub: the key is (hub, appliance). */
export const appliances = pgTable('appliances', {
  hubId: text('hub_id').notNull(),
  applianceId: text('appliance_id').notNull(),
  customerId: text('customer_id'),
  type: text('type').notNull(),
  model: text('model'),
  serial: text('serial'),
  installedAt: ms('installed_at'),
  warrantyUntil: ms('warranty_until'),
  createdAt: ms('created_at').notNull(),
  lastSeenAt: ms('last_seen_at'),
}, (t) => [primaryKey({ columns: [t.hubId, t.applianceId] }), index('appliances_customer').on(t.customerId)]);

export const deadLetters = pgTable('dead_letters', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  receivedAt: ms('received_at').notNull(),
  hubId: text('hub_id'),
  clientId: text('client_id'),
  topic: text('topic').notNull(),
  reason: text('reason').notNull(),
  errors: text('errors').notNull(),
  payload: bytea('payload'),
}, (t) => [index('dead_letters_hub').on(t.hubId, t.id)]);

export const ruleVersions = pgTable('rule_versions', {
  version: integer('version').primaryKey(),
  author: text('author').notNull(),
  message: text('message').notNull(),
  createdAt: ms('created_at').notNull(),
  rules: text('rules').notNull(),
  diff: text('diff').notNull().default(''),
  /** Cluster: the stream position from which every partition judges with this version (a deploy switches all nodes at one position). */
  effectiveSeq: ms('effective_seq'),
});

export const alarms = pgTable('alarms', {
  alarmKey: text('alarm_key').primaryKey(),
  ruleId: text('rule_id').notNull(),
  ruleVersion: integer('rule_version').notNull(),
  hubId: text('hub_id').notNull(),
  applianceId: text('appliance_id'),
  key: text('key').notNull(),
  status: text('status').notNull(),
  severity: text('severity').notNull(),
  title: text('title').notNull(),
  count: integer('count').notNull(),
  level: integer('level').notNull().default(0),
  firstSeen: ms('first_seen').notNull(),
  lastSeen: ms('last_seen').notNull(),
  updatedAt: ms('updated_at').notNull(),
  ticketId: text('ticket_id'),
}, (t) => [index('alarms_status').on(t.status, t.lastSeen), index('alarms_appliance').on(t.hubId, t.applianceId), index('alarms_ticket').on(t.ticketId)]);

export const alarmEvents = pgTable('alarm_events', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  alarmKey: text('alarm_key').notNull(),
  transition: text('transition').notNull(),
  at: ms('at').notNull(),
  count: integer('count').notNull(),
  level: integer('level').notNull().default(0),
  ruleId: text('rule_id').notNull(),
  hubId: text('hub_id').notNull(),
  applianceId: text('appliance_id'),
  event: text('event').notNull(),
}, (t) => [uniqueIndex('alarm_events_identity').on(t.alarmKey, t.transition, t.at, t.count, t.level), index('alarm_events_at').on(t.at)]);

export const tickets = pgTable('tickets', {
  ticketId: text('ticket_id').primaryKey(),
  status: text('status').notNull(),
  hubId: text('hub_id').notNull(),
  applianceId: text('appliance_id'),
  customerId: text('customer_id'),
  faultClass: text('fault_class').notNull(),
  faultCode: text('fault_code'),
  severity: text('severity').notNull(),
  title: text('title').notNull(),
  details: text('details').notNull(),
  alarmKey: text('alarm_key').notNull(),
  alarmCount: integer('alarm_count').notNull().default(1),
  reopenCount: integer('reopen_count').notNull().default(0),
  assignee: text('assignee'),
  team: text('team'),
  region: text('region').notNull().default(''),
  model: text('model'),
  slotStart: ms('slot_start'),
  slotEnd: ms('slot_end'),
  promisedBy: ms('promised_by'),
  openedAt: ms('opened_at').notNull(),
  updatedAt: ms('updated_at').notNull(),
  resolvedAt: ms('resolved_at'),
  closedAt: ms('closed_at'),
}, (t) => [index('tickets_status').on(t.status, t.updatedAt), index('tickets_dedupe').on(t.hubId, t.applianceId, t.faultClass, t.status), index('tickets_customer').on(t.customerId)]);

export const ticketEvents = pgTable('ticket_events', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  ticketId: text('ticket_id').notNull(),
  at: ms('at').notNull(),
  by: text('by').notNull(),
  type: text('type').notNull(),
  fromStatus: text('from_status'),
  toStatus: text('to_status'),
  note: text('note'),
}, (t) => [index('ticket_events_ticket').on(t.ticketId, t.id)]);

export const outbox = pgTable('outbox', {
  taskId: text('task_id').primaryKey(),
  purpose: text('purpose').notNull(),
  status: text('status').notNull().default('pending'),
  ticketId: text('ticket_id'),
  customerId: text('customer_id'),
  hubId: text('hub_id').notNull(),
  applianceId: text('appliance_id'),
  channel: text('channel').notNull(),
  urgency: text('urgency').notNull(),
  payload: text('payload').notNull(),
  attempts: integer('attempts').notNull().default(0),
  nextAttemptAt: ms('next_attempt_at').notNull(),
  lastError: text('last_error'),
  lastStatus: integer('last_status'),
  createdAt: ms('created_at').notNull(),
  deliveredAt: ms('delivered_at'),
  outcome: text('outcome'),
  outcomeAt: ms('outcome_at'),
  /** Cluster: the node delivering it and until when (a lease: another node takes it over after). */
  leasedBy: text('leased_by'),
  leasedUntil: ms('leased_until'),
}, (t) => [index('outbox_due').on(t.status, t.nextAttemptAt), index('outbox_customer').on(t.customerId, t.createdAt)]);

export const deliveryAttempts = pgTable('delivery_attempts', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  taskId: text('task_id').notNull(),
  at: ms('at').notNull(),
  status: integer('status'),
  error: text('error'),
  durationMs: integer('duration_ms').notNull(),
}, (t) => [index('delivery_attempts_task').on(t.taskId)]);

export const telemetry = pgTable('telemetry', {
  id: bigint('id', { mode: 'number' }).primaryKey(),
  applianceId: text('appliance_id').notNull(),
  hubId: text('hub_id').notNull(),
  at: ms('at').notNull(),
  deviceTs: ms('device_ts').notNull(),
  metrics: text('metrics').notNull(),
}, (t) => [index('telemetry_appliance_at').on(t.hubId, t.applianceId, t.at)]);

export const webhookReceipts = pgTable('webhook_receipts', {
  webhookId: text('webhook_id').primaryKey(),
  receivedAt: ms('received_at').notNull(),
});

export const fleetAlerts = pgTable('fleet_alerts', {
  alertId: text('alert_id').primaryKey(),
  model: text('model').notNull(),
  faultCode: text('fault_code').notNull(),
  status: text('status').notNull().default('open'),
  affected: integer('affected').notNull(),
  baselinePerHour: integer('baseline_per_hour_milli').notNull(),
  windowMs: ms('window_ms').notNull(),
  openedAt: ms('opened_at').notNull(),
  updatedAt: ms('updated_at').notNull(),
}, (t) => [index('fleet_alerts_open').on(t.model, t.faultCode, t.status)]);

export const users = pgTable('users', {
  username: text('username').primaryKey(),
  passwordHash: text('password_hash').notNull(),
  role: text('role').notNull(),
  createdAt: ms('created_at').notNull(),
  disabledAt: ms('disabled_at'),
});

export const sessions = pgTable('sessions', {
  tokenHash: text('token_hash').primaryKey(),
  username: text('username').notNull(),
  createdAt: ms('created_at').notNull(),
  expiresAt: ms('expires_at').notNull(),
}, (t) => [index('sessions_user').on(t.username)]);

export const mqttClients = pgTable('mqtt_clients', {
  name: text('name').primaryKey(),
  role: text('role').notNull(),
  passwordHash: text('password_hash').notNull(),
  createdAt: ms('created_at').notNull(),
  rotatedAt: ms('rotated_at'),
  revokedAt: ms('revoked_at'),
});

export const liveEvents = pgTable('live_events', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  at: ms('at').notNull(),
  type: text('type').notNull(),
  data: text('data').notNull(),
});

/** What each ticket's hub was last told on its notices topic (tickets/ticket-notices.ts). */
export const ticketNotices = pgTable('ticket_notices', {
  ticketId: text('ticket_id').primaryKey(),
  told: text('told').notNull(),
  at: ms('at').notNull(),
});

/** Cluster: the nodes that heartbeat (partition ownership is spread over them); see cluster/leases.ts. Times are PostgreSQL's. */
export const clusterNodes = pgTable('cluster_nodes', {
  nodeId: text('node_id').primaryKey(),
  seenAt: timestamp('seen_at', { withTimezone: true }).notNull(),
  startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Cluster: one row per partition — its owner, until when, and the fencing token every grant increments. */
export const partitionLeases = pgTable('partition_leases', {
  partition: integer('partition').primaryKey(),
  owner: text('owner'),
  token: bigint('token', { mode: 'number' }).notNull().default(0),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull().default(sql`'epoch'`),
});

/** Cluster: the rule engine's state per partition, written with the stream position it stands at. */
export const partitionCheckpoints = pgTable('partition_checkpoints', {
  partition: integer('partition').primaryKey(),
  streamSeq: ms('stream_seq').notNull(),
  ruleVersion: integer('rule_version').notNull(),
  /** The timing wheel's position (the engine's `wheel`); nothing wrote this table before the column came. */
  wheel: ms('wheel').notNull(),
  at: ms('at').notNull(),
});

/** Cluster: how far each named journal reader (the history sink) of a partition has read the stream. */
export const partitionReaders = pgTable('partition_readers', {
  partition: integer('partition').notNull(),
  reader: text('reader').notNull(),
  pos: ms('pos').notNull(),
  at: ms('at').notNull(),
}, (t) => [primaryKey({ columns: [t.partition, t.reader] })]);

export const partitionState = pgTable('partition_state', {
  partition: integer('partition').notNull(),
  kind: text('kind').notNull(),
  key: text('key').notNull(),
  value: text('value').notNull(),
}, (t) => [primaryKey({ columns: [t.partition, t.kind, t.key] })]);
