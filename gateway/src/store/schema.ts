/**
 * The gateway's tables (drizzle-orm, SQLite). Migrations under gateway/drizzle are
 * generated from this file by drizzle-kit (`npm run db:generate -w gateway`) and committed.
 * Times are epoch milliseconds (server clock) unless a column says device time.
 */

import { blob, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const hubs = sqliteTable('hubs', {
  hubId: text('hub_id').primaryKey(),
  /** scrypt$N$r$p$salt$hash — never the password itself. */
  passwordHash: text('password_hash').notNull(),
  customerId: text('customer_id'),
  createdAt: integer('created_at').notNull(),
  rotatedAt: integer('rotated_at'),
  revokedAt: integer('revoked_at'),
  lastSeenAt: integer('last_seen_at'),
});

export const customers = sqliteTable('customers', {
  customerId: text('customer_id').primaryKey(),
  name: text('name').notNull(),
  phone: text('phone').notNull(),
  email: text('email'),
  address: text('address').notNull().default(''),
  region: text('region').notNull().default(''),
  language: text('language').notNull().default('en'),
  channel: text('channel').notNull().default('voice'),
  timezone: text('timezone').notNull().default('UTC'),
  /** Quiet hours in the customer's time zone, 'HH:MM'; null = none. */
  quietStart: text('quiet_start'),
  quietEnd: text('quiet_end'),
  /** When the household's food digest is judged, 'HH:MM' in its time zone; null = the food rule's own hour. */
  digestAt: text('digest_at'),
  consentRepair: integer('consent_repair', { mode: 'boolean' }).notNull().default(true),
  consentFood: integer('consent_food', { mode: 'boolean' }).notNull().default(true),
  consentMarketing: integer('consent_marketing', { mode: 'boolean' }).notNull().default(false),
  /** Most proactive contacts per rolling 24 h, safety contacts excepted. */
  dailyCap: integer('daily_cap').notNull().default(3),
  /** Set when the contact center reported the phone number wrong; proactive calls stop until it is corrected. */
  phoneInvalidAt: integer('phone_invalid_at'),
  /** The last 7 digits of the phone number: the indexed key callers are found by, whatever the number's format. */
  phoneTail: text('phone_tail').notNull().default(''),
  createdAt: integer('created_at').notNull(),
}, (t) => [index('customers_phone').on(t.phone), index('customers_phone_tail').on(t.phoneTail)]);

/** An appliance id is unique only within its hub (two homes may both have `fridge-1`): the key is (hub, appliance). */
export const appliances = sqliteTable('appliances', {
  hubId: text('hub_id').notNull(),
  applianceId: text('appliance_id').notNull(),
  customerId: text('customer_id'),
  type: text('type').notNull(),
  model: text('model'),
  serial: text('serial'),
  installedAt: integer('installed_at'),
  warrantyUntil: integer('warranty_until'),
  createdAt: integer('created_at').notNull(),
  lastSeenAt: integer('last_seen_at'),
}, (t) => [primaryKey({ columns: [t.hubId, t.applianceId] }), index('appliances_customer').on(t.customerId)]);

// The journal (every accepted uplink message, what a PUBACK promised) has a file of its own: store/journal-db.ts.

/** Messages refused after the broker accepted them (bad JSON, schema, range). */
export const deadLetters = sqliteTable('dead_letters', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  receivedAt: integer('received_at').notNull(),
  hubId: text('hub_id'),
  clientId: text('client_id'),
  topic: text('topic').notNull(),
  reason: text('reason').notNull(),
  errors: text('errors').notNull(),
  payload: blob('payload', { mode: 'buffer' }),
}, (t) => [index('dead_letters_hub').on(t.hubId, t.id)]);

/** Key/value position markers: how far the rule runner has applied the journal, etc. */
export const checkpoints = sqliteTable('checkpoints', {
  name: text('name').primaryKey(),
  pos: integer('pos').notNull(),
  at: integer('at').notNull(),
  snapshot: text('snapshot'),
});

/**
 * The rule engine's state as rows beside its checkpoint (kind: hub, app, alarm, work):
 * each checkpoint writes only what changed since the previous one.
 */
export const engineState = sqliteTable(
  'engine_state',
  {
    kind: text('kind').notNull(),
    key: text('key').notNull(),
    value: text('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.key] })],
);

export const ruleVersions = sqliteTable('rule_versions', {
  version: integer('version').primaryKey(),
  author: text('author').notNull(),
  message: text('message').notNull(),
  createdAt: integer('created_at').notNull(),
  /** The whole rule set as JSON. */
  rules: text('rules').notNull(),
  diff: text('diff').notNull().default(''),
});

/** The current state of every alarm the engine raised (the engine's own state is in its snapshot). */
export const alarms = sqliteTable('alarms', {
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
  firstSeen: integer('first_seen').notNull(),
  lastSeen: integer('last_seen').notNull(),
  updatedAt: integer('updated_at').notNull(),
  ticketId: text('ticket_id'),
}, (t) => [index('alarms_status').on(t.status, t.lastSeen), index('alarms_appliance').on(t.hubId, t.applianceId), index('alarms_ticket').on(t.ticketId)]);

/** Applied alarm events; the unique identity makes a journal replay after a crash idempotent. */
export const alarmEvents = sqliteTable('alarm_events', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  alarmKey: text('alarm_key').notNull(),
  transition: text('transition').notNull(),
  at: integer('at').notNull(),
  count: integer('count').notNull(),
  level: integer('level').notNull().default(0),
  ruleId: text('rule_id').notNull(),
  hubId: text('hub_id').notNull(),
  applianceId: text('appliance_id'),
  event: text('event').notNull(),
}, (t) => [uniqueIndex('alarm_events_identity').on(t.alarmKey, t.transition, t.at, t.count, t.level), index('alarm_events_at').on(t.at)]);

export const tickets = sqliteTable('tickets', {
  ticketId: text('ticket_id').primaryKey(),
  status: text('status').notNull(),
  hubId: text('hub_id').notNull(),
  applianceId: text('appliance_id'),
  customerId: text('customer_id'),
  faultClass: text('fault_class').notNull(),
  faultCode: text('fault_code'),
  severity: text('severity').notNull(),
  title: text('title').notNull(),
  /** Auto-filled facts as JSON: customer, address, phone, model, serial, fault meaning, likely part, telemetry excerpt. */
  details: text('details').notNull(),
  alarmKey: text('alarm_key').notNull(),
  alarmCount: integer('alarm_count').notNull().default(1),
  reopenCount: integer('reopen_count').notNull().default(0),
  assignee: text('assignee'),
  team: text('team'),
  region: text('region').notNull().default(''),
  model: text('model'),
  slotStart: integer('slot_start'),
  slotEnd: integer('slot_end'),
  promisedBy: integer('promised_by'),
  openedAt: integer('opened_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
  resolvedAt: integer('resolved_at'),
  closedAt: integer('closed_at'),
}, (t) => [
  index('tickets_status').on(t.status, t.updatedAt),
  index('tickets_dedupe').on(t.hubId, t.applianceId, t.faultClass, t.status),
  index('tickets_customer').on(t.customerId),
]);

export const ticketEvents = sqliteTable('ticket_events', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  ticketId: text('ticket_id').notNull(),
  at: integer('at').notNull(),
  by: text('by').notNull(),
  type: text('type').notNull(),
  fromStatus: text('from_status'),
  toStatus: text('to_status'),
  note: text('note'),
}, (t) => [index('ticket_events_ticket').on(t.ticketId, t.id)]);

/** Contact tasks for the contact center, written in the same transaction as the ticket change. */
export const outbox = sqliteTable('outbox', {
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
  nextAttemptAt: integer('next_attempt_at').notNull(),
  lastError: text('last_error'),
  lastStatus: integer('last_status'),
  createdAt: integer('created_at').notNull(),
  deliveredAt: integer('delivered_at'),
  outcome: text('outcome'),
  outcomeAt: integer('outcome_at'),
}, (t) => [index('outbox_due').on(t.status, t.nextAttemptAt), index('outbox_customer').on(t.customerId, t.createdAt)]);

export const deliveryAttempts = sqliteTable('delivery_attempts', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  taskId: text('task_id').notNull(),
  at: integer('at').notNull(),
  status: integer('status'),
  error: text('error'),
  durationMs: integer('duration_ms').notNull(),
}, (t) => [index('delivery_attempts_task').on(t.taskId)]);

/** Recent telemetry window for ticket excerpts and backtests (bounded by retention). */
export const telemetry = sqliteTable('telemetry', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  applianceId: text('appliance_id').notNull(),
  hubId: text('hub_id').notNull(),
  at: integer('at').notNull(),
  deviceTs: integer('device_ts').notNull(),
  metrics: text('metrics').notNull(),
}, (t) => [index('telemetry_appliance_at').on(t.hubId, t.applianceId, t.at)]);

export const webhookReceipts = sqliteTable('webhook_receipts', {
  webhookId: text('webhook_id').primaryKey(),
  receivedAt: integer('received_at').notNull(),
});


/** Fleet red lights: one fault code on one model well above its baseline. */
export const fleetAlerts = sqliteTable('fleet_alerts', {
  alertId: text('alert_id').primaryKey(),
  model: text('model').notNull(),
  faultCode: text('fault_code').notNull(),
  status: text('status').notNull().default('open'),
  affected: integer('affected').notNull(),
  baselinePerHour: integer('baseline_per_hour_milli').notNull(),
  windowMs: integer('window_ms').notNull(),
  openedAt: integer('opened_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
}, (t) => [index('fleet_alerts_open').on(t.model, t.faultCode, t.status)]);

/** Console users: dispatchers, rule engineers, managers, admins. Passwords only as salted scrypt hashes. */
export const users = sqliteTable('users', {
  username: text('username').primaryKey(),
  passwordHash: text('password_hash').notNull(),
  role: text('role').notNull(),
  createdAt: integer('created_at').notNull(),
  disabledAt: integer('disabled_at'),
});

/** Signed-in sessions: only a hash of the bearer token is kept. */
export const sessions = sqliteTable('sessions', {
  tokenHash: text('token_hash').primaryKey(),
  username: text('username').notNull(),
  createdAt: integer('created_at').notNull(),
  expiresAt: integer('expires_at').notNull(),
}, (t) => [index('sessions_user').on(t.username)]);

/**
 * MQTT accounts that are not hubs: integrations (role `service`) and operators (role
 * `admin`), both read-only on the broker. Username on the wire is `{role}:{name}`.
 */
export const mqttClients = sqliteTable('mqtt_clients', {
  name: text('name').primaryKey(),
  role: text('role').notNull(),
  /** scrypt$N$r$p$salt$hash — never the password itself. */
  passwordHash: text('password_hash').notNull(),
  createdAt: integer('created_at').notNull(),
  rotatedAt: integer('rotated_at'),
  revokedAt: integer('revoked_at'),
});

/**
 * The durable window of live events (SSE `GET /api/v1/events`): every committed alarm,
 * ticket and contact change, with an id that only grows — AUTOINCREMENT never hands out an
 * id again, even after the window is pruned or the gateway restarts — so a client that was
 * away (a restart, a dropped connection) resumes from its Last-Event-ID. Owned by events/event-log.ts.
 */
export const liveEvents = sqliteTable('live_events', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  at: integer('at').notNull(),
  type: text('type').notNull(),
  data: text('data').notNull(),
});

/**
 * What each ticket's hub was last told on its notices topic (tickets/ticket-notices.ts): a
 * repeat of the fault, a restart or a replay tells the hub nothing twice.
 */
export const ticketNotices = sqliteTable('ticket_notices', {
  ticketId: text('ticket_id').primaryKey(),
  told: text('told').notNull(),
  at: integer('at').notNull(),
});
