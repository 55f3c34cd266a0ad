import type { AlarmStore } from './alarms/alarm-store.js';
import type { Broker } from './broker/broker.js';
import type { Clock } from './clock.js';
import type { GatewayConfig } from './config/config.js';
import type { CustomerRegistry } from './customers/customer-registry.js';
import type { RuleRunner } from './engine/rule-runner.js';
import type { EventBus } from './events/bus.js';
import type { FleetMonitor } from './fleet/fleet-monitor.js';
import type { HubRegistry } from './hubs/hub-registry.js';
import type { MqttClientRegistry } from './hubs/mqtt-client-registry.js';
import type { SlaMonitor } from './sla/sla-monitor.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics/metrics.js';
import type { DeliveryWorker } from './outbox/delivery-worker.js';
import type { Outbox } from './outbox/outbox.js';
import type { ContactService } from './service/contact-service.js';
import type { Store } from './store/db.js';
import type { TicketService } from './tickets/ticket-service.js';
import type { WorkloadForecaster } from './workload/workload-forecaster.js';

/** Everything a running gateway holds; the API and the CLI work through it. */
export interface GatewayContext {
  readonly config: GatewayConfig;
  readonly store: Store;
  readonly clock: Clock;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly bus: EventBus;
  readonly hubs: HubRegistry;
  readonly customers: CustomerRegistry;
  readonly tickets: TicketService;
  readonly alarms: AlarmStore;
  readonly outbox: Outbox;
  /** The one path from "contact them" to the outbox (service loop, follow-ups, notifications API). */
  readonly contacts: ContactService;
  readonly runner: RuleRunner;
  readonly broker: Broker;
  /** Service and admin MQTT accounts (read-only on the broker). */
  readonly mqttClients: MqttClientRegistry;
  readonly worker: DeliveryWorker;
  readonly fleet: FleetMonitor;
  readonly sla: SlaMonitor;
  /** Tomorrow's workload: tickets, visits and contacts forecast 14 days ahead. */
  readonly forecasts: WorkloadForecaster;
  readonly adminToken: string;
  readonly contactSecrets: readonly string[];
}
