import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { HotHistogram } from './hot-histogram.js';

/**
 * Every Prometheus metric the gateway exports, declared in one place so dashboards and the
 * dashboard test can rely on the names. One registry per gateway instance (tests run several).
 */
export class Metrics {
  readonly registry = new Registry();

  readonly mqttConnections = new Gauge({ name: 'forecare_mqtt_connections', help: 'Connected MQTT clients, by role (hub, service, admin)', labelNames: ['role'] as const, registers: [this.registry] });
  readonly forecastRuns = new Counter({ name: 'forecare_forecast_runs_total', help: 'Workload forecasts computed, by the state of the weather feed (ok, partial, down, off)', labelNames: ['weather'] as const, registers: [this.registry] });
  readonly forecastPushes = new Counter({ name: 'forecare_forecast_pushes_total', help: 'Daily forecast pushes to the contact center, by result', labelNames: ['result'] as const, registers: [this.registry] });
  readonly mqttConnectRefused = new Counter({ name: 'forecare_mqtt_connect_refused_total', help: 'Refused MQTT connections by reason', labelNames: ['reason'] as const, registers: [this.registry] });
  readonly loginFailures = new Counter({ name: 'forecare_login_failures_total', help: 'Failed or refused MQTT logins, by reason', labelNames: ['reason'] as const, registers: [this.registry] });
  readonly messagesIn = new Counter({ name: 'forecare_messages_in_total', help: 'Uplink messages accepted into the journal, by kind', labelNames: ['kind'] as const, registers: [this.registry] });
  readonly messagesOut = new Counter({ name: 'forecare_messages_out_total', help: 'Downlink messages sent to hubs, by kind', labelNames: ['kind'] as const, registers: [this.registry] });
  readonly rejects = new Counter({ name: 'forecare_rejects_total', help: 'Refused uplink messages and packets, by reason', labelNames: ['reason'] as const, registers: [this.registry] });
  readonly disconnects = new Counter({ name: 'forecare_mqtt_disconnects_total', help: 'MQTT connections closed by the gateway, by reason', labelNames: ['reason'] as const, registers: [this.registry] });
  readonly duplicates = new Counter({ name: 'forecare_duplicates_total', help: 'QoS 1 redeliveries dropped by dedupe (same appliance, seq and payload bytes)', registers: [this.registry] });
  readonly journalCommitSeconds = new Histogram({ name: 'forecare_journal_commit_seconds', help: 'Journal group-commit duration', buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25], registers: [this.registry] });
  readonly journalBatchSize = new Histogram({ name: 'forecare_journal_batch_size', help: 'Messages per journal commit', buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000], registers: [this.registry] });
  /** Observed per message: the cheap kind. */
  readonly pubackSeconds = new HotHistogram({ name: 'forecare_puback_seconds', help: 'Time from PUBLISH received to the journal commit that lets the PUBACK go', buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers: [this.registry] });
  readonly ruleEvalSeconds = new Histogram({ name: 'forecare_rule_eval_seconds', help: 'Rule engine time per journal batch', buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1], registers: [this.registry] });
  readonly alarmTransitions = new Counter({ name: 'forecare_alarm_transitions_total', help: 'Alarm events by rule and transition', labelNames: ['rule', 'transition'] as const, registers: [this.registry] });
  readonly alarmsOpen = new Gauge({ name: 'forecare_alarms_open', help: 'Open (raised or acknowledged) alarms', registers: [this.registry] });
  readonly ticketsOpened = new Counter({ name: 'forecare_tickets_opened_total', help: 'Tickets opened, by fault class', labelNames: ['fault_class'] as const, registers: [this.registry] });
  readonly ticketTransitions = new Counter({ name: 'forecare_ticket_transitions_total', help: 'Ticket status changes', labelNames: ['to'] as const, registers: [this.registry] });
  readonly ticketsByStatus = new Gauge({ name: 'forecare_tickets_by_status', help: 'Tickets in each status', labelNames: ['status'] as const, registers: [this.registry] });
  readonly slaBreaches = new Counter({ name: 'forecare_sla_breaches_total', help: 'Service-level breaches, by kind', labelNames: ['kind'] as const, registers: [this.registry] });
  readonly contactOutcomes = new Counter({ name: 'forecare_contact_outcomes_total', help: 'Outcomes reported by the contact center', labelNames: ['outcome'] as const, registers: [this.registry] });
  readonly fleetAlerts = new Counter({ name: 'forecare_fleet_alerts_total', help: 'Fleet red lights raised (one fault code on one model above its baseline)', registers: [this.registry] });
  readonly outboxTasks = new Counter({ name: 'forecare_outbox_tasks_total', help: 'Contact tasks written to the outbox, by purpose', labelNames: ['purpose'] as const, registers: [this.registry] });
  readonly deliveries = new Counter({ name: 'forecare_deliveries_total', help: 'Contact-center delivery attempts by result', labelNames: ['result'] as const, registers: [this.registry] });
  readonly deliverySeconds = new Histogram({ name: 'forecare_delivery_seconds', help: 'Contact-center request duration', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [this.registry] });
  readonly outboxPending = new Gauge({ name: 'forecare_outbox_pending', help: 'Contact tasks waiting for delivery', registers: [this.registry] });
  readonly influxWrittenLines = new Counter({ name: 'forecare_influx_written_lines_total', help: 'Telemetry lines the InfluxDB-compatible store acknowledged', registers: [this.registry] });
  readonly influxWriteFailures = new Counter({ name: 'forecare_influx_write_failures_total', help: 'Failed writes to the telemetry store (retried from the journal)', registers: [this.registry] });
  readonly influxRejectedLines = new Counter({ name: 'forecare_influx_rejected_lines_total', help: 'Telemetry lines the store refused (4xx about the lines): dead-lettered, not retried', registers: [this.registry] });
  readonly influxLag = new Gauge({ name: 'forecare_influx_lag_messages', help: 'Journal messages not yet written to the telemetry store (the spool depth)', registers: [this.registry] });
  readonly liveStreams = new Gauge({ name: 'forecare_live_streams', help: 'Open live-event streams (GET /api/v1/events: consoles, Node-RED, integrations)', registers: [this.registry] });
  readonly deadLetters = new Counter({ name: 'forecare_dead_letters_total', help: 'Messages stored as dead letters, by reason', labelNames: ['reason'] as const, registers: [this.registry] });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics === false) return;
    // Unprefixed: standard Node.js dashboards and alerts look for process_cpu_seconds_total,
    // nodejs_eventloop_lag_seconds, nodejs_heap_size_used_bytes and so on by these exact names.
    collectDefaultMetrics({ register: this.registry });
    // Gauges named *_total break the exposition conventions (promtool check metrics refuses them);
    // sum(nodejs_active_handles) and friends, kept, give the same numbers.
    for (const name of NON_CONVENTIONAL_DEFAULTS) this.registry.removeSingleMetric(name);
  }
}

/** prom-client's default gauges whose names end in `_total`. */
export const NON_CONVENTIONAL_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'] as const;
