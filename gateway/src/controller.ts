import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { AlarmStore } from './alarms/alarm-store.js';
import { buildApi } from './api/server.js';
import { Broker } from './broker/broker.js';
import { systemClock, type Clock } from './clock.js';
import type { GatewayConfig } from './config/config.js';
import { generateSecret } from './contact-center/signing.js';
import type { GatewayContext } from './context.js';
import { CustomerRegistry } from './customers/customer-registry.js';
import { loadRuleFiles } from './engine/rule-files.js';
import { ThreadEngineHost } from './engine/engine-host.js';
import { AlarmApplier } from './engine/alarm-applier.js';
import { RuleRunner } from './engine/rule-runner.js';
import { fileRulesVersion } from './engine/rule-versions.js';
import { GatewayError } from './errors.js';
import { EventBus } from './events/bus.js';
import { EventLog } from './events/event-log.js';
import { HubRegistry } from './hubs/hub-registry.js';
import { VerifiedPasswords, verifyPassword } from './hubs/credentials.js';
import { keptVerifyKey, VerifiedPasswordsFile } from './hubs/verified-file.js';
import { MqttClientRegistry } from './hubs/mqtt-client-registry.js';
import { Ingest } from './ingest/ingest.js';
import { Journal, type DeadLetter } from './ingest/journal.js';
import { createLogger, type Logger } from './log.js';
import { bounded, PartList, type Part } from './part.js';
import { Metrics } from './metrics/metrics.js';
import { DeliveryWorker } from './outbox/delivery-worker.js';
import { Outbox } from './outbox/outbox.js';
import { ContactService } from './service/contact-service.js';
import { ServiceLoop } from './service/service.js';
import { FleetMonitor } from './fleet/fleet-monitor.js';
import { ChartHistory } from './sinks/chart-history.js';
import { InfluxSink } from './sinks/influx-sink.js';
import { JournalListeners } from './sinks/journal-listener.js';
import { Presence } from './sinks/presence.js';
import { SlaMonitor } from './sla/sla-monitor.js';
import { openStore } from './store/db.js';
import { Retention } from './store/retention.js';
import { WalCheckpointer } from './store/wal-checkpointer.js';
import { journalFileBeside } from './store/journal-db.js';
import { sqliteEngineStores } from './store/sqlite/engine-stores.js';
import { SqliteHubStore } from './store/sqlite/hub-store.js';
import { TicketService } from './tickets/ticket-service.js';
import { TicketNotices } from './tickets/ticket-notices.js';
import { DEFAULT_FORECAST_OPTIONS } from './forecast/forecaster.js';
import { ForecastPush } from './workload/forecast-push.js';
import { ForecastHistoryStore } from './workload/history-store.js';
import { loadHolidayCalendar } from './workload/holidays.js';
import { WeatherFeed, weatherSource } from './workload/weather-feed.js';
import { WorkloadForecaster } from './workload/workload-forecaster.js';
import { SqliteTelemetryExcerptStore } from './store/sqlite/telemetry-excerpt-store.js';

export interface StartOptions {
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** How often the engine snapshot is checkpointed (default 5 s). */
  readonly checkpointEveryMs?: number;
}

export interface RunningGateway {
  readonly ctx: GatewayContext;
  readonly mqttPort: number;
  readonly httpPort: number;
  /** MQTT over TLS, when configured. */
  readonly mqttsPort: number | undefined;
  /** MQTT over WebSocket (path /mqtt), when configured. */
  readonly wsPort: number | undefined;
  /** Set when this start generated the admin token (print it once). */
  readonly generatedAdminToken: string | undefined;
  readonly api: FastifyInstance;
  /** What is behind the broker: decode, validate, dedupe, journal, then the rules (benchmarks drive it without MQTT). */
  readonly ingest: Ingest;
  stop(): Promise<void>;
  /** The part being stopped while stop() runs (for a shutdown that has to be cut short). */
  stopping(): string | undefined;
}

/** Reads a secret kept in the data dir, or creates it (mode 0600). */
function keptSecret(file: string, make: () => string): { value: string; generated: boolean } {
  if (existsSync(file)) return { value: readFileSync(file, 'utf8').trim(), generated: false };
  const value = make();
  writeFileSync(file, value + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return { value, generated: true };
}

const DEDUPE_REPLAY = 20_000;
/**
 * Longest wait for a part that talks to peers (HTTP clients, MQTT clients, the contact
 * center, the history store) while stopping; the CLI cuts the whole shutdown at 9 s.
 */
const PART_BOUND_MS = 2000;
/** In-flight requests get this long to finish before their connections are closed. */
const HTTP_GRACE_MS = 1000;

/** Journal batches this small commit on the event loop when the writer thread is idle (light load: no hand-off latency). */
const JOURNAL_INLINE_MAX = 16;

/**
 * Closes the HTTP server: event streams are ended by the events route's preClose hook, idle
 * connections by fastify; after a grace for requests in flight, every connection left (a
 * client that never finished its request) is closed too.
 */
async function closeApi(api: FastifyInstance): Promise<void> {
  const closing = api.close();
  await bounded(closing, HTTP_GRACE_MS, () => api.server.closeAllConnections());
  await closing;
}

/** A part from a start and a stop that are not a Part's own (timers started synchronously, a server's listen). */
function part(name: string, start: () => Promise<unknown> | void, stop: () => Promise<void> | void, stopWithinMs?: number): Part {
  return { name, start: async () => void (await start()), stop: async () => stop(), ...(stopWithinMs !== undefined ? { stopWithinMs } : {}) };
}

/** Listens on the configured HTTP port; a port taken or forbidden is a coded error naming the setting. */
async function listen(api: FastifyInstance, config: GatewayConfig): Promise<number> {
  try {
    await api.listen({ host: config.host, port: config.httpPort });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new GatewayError('GW_ERR_PORT_IN_USE', `port ${config.httpPort} on ${config.host} is already in use: set FORECARE_HTTP_PORT to a free port (0 picks any)`);
    if (code === 'EACCES') throw new GatewayError('GW_ERR_PORT_IN_USE', `no permission to listen on port ${config.httpPort}: set FORECARE_HTTP_PORT to a port above 1023`);
    throw err;
  }
  const address = api.server.address();
  return typeof address === 'object' && address !== null ? address.port : config.httpPort;
}

/**
 * Starts the whole gateway: the parts are built with everything they need, then started in
 * the order data flows through them — store → rules recovered from their checkpoint and the
 * journal → journal → broker → HTTP API → timers, sinks and the delivery worker — and
 * stopped in reverse. A failure part-way stops what was started.
 */
export async function startGateway(config: GatewayConfig, options: StartOptions = {}): Promise<RunningGateway> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  mkdirSync(config.dataDir, { recursive: true });
  const store = openStore(join(config.dataDir, 'forecare.db'), { synchronous: config.sqliteSynchronous });
  const parts = new PartList(logger);
  const onDisk = store.file !== ':memory:';
  let secrets: readonly string[];
  let token: { value: string; generated: boolean };
  try {
    token = config.adminToken !== '' ? { value: config.adminToken, generated: false } : keptSecret(join(config.dataDir, 'admin-token'), () => randomBytes(24).toString('base64url'));
    secrets = config.contactCenter.secrets.length > 0 ? config.contactCenter.secrets : [keptSecret(join(config.dataDir, 'contact-center-secret'), generateSecret).value];
  } catch (err) {
    store.close();
    throw err;
  }

  const metrics = new Metrics();
  const events = new EventLog(store, clock, logger);
  const bus = new EventBus(events, (err) => logger.error({ err }, 'live event not stored in the window: sent without an id'));
  const hubStore = new SqliteHubStore(store);
  // Hub password checks that succeeded are kept across restarts (on disk only): a reconnect storm costs an HMAC per hub, not a scrypt.
  const hubPasswords = new VerifiedPasswords(200_000, verifyPassword, onDisk ? keptVerifyKey(join(config.dataDir, 'verify-key'), logger) : undefined);
  const hubs = new HubRegistry(hubStore, clock, hubPasswords);
  const mqttClients = new MqttClientRegistry(hubStore, clock);
  const customers = new CustomerRegistry(store, clock);
  const tickets = new TicketService(store, clock, customers, metrics, { reopenWindowMs: config.service.reopenWindowMs, slaPolicy: { assignWithinMs: config.service.slaAssignMs } });
  const alarms = new AlarmStore(store, clock);
  const outbox = new Outbox(store, clock, metrics);
  const fleet = new FleetMonitor(store, clock, metrics, logger, config.service.fleet);
  const contacts = new ContactService(outbox, logger);
  const service = new ServiceLoop(alarms, tickets, customers, contacts, metrics, logger, fleet);
  const sla = new SlaMonitor(store, tickets, alarms, clock, metrics, logger, bus, { assignWithinMs: config.service.slaAssignMs, fallbackTeam: config.service.fallbackTeam, verifyAfterMs: config.service.verifyAfterMs });
  const worker = new DeliveryWorker(outbox, { ...config.contactCenter, secrets }, clock, metrics, logger);
  // A contact task committed with the alarm events wakes the delivery worker at once.
  const applier = new AlarmApplier(store, service, bus, logger, [(live) => live.some((e) => e.type === 'contact') && worker.kick()]);
  // Journal commits on a thread of its own (the event loop keeps the broker and, unless FORECARE_RULES_THREAD=on, the rules).
  const stores = sqliteEngineStores(store, { writerThread: onDisk, synchronous: config.sqliteSynchronous, inlineMax: JOURNAL_INLINE_MAX, logger });
  const rules = loadRuleFiles(config.rulesDir);
  const runner = new RuleRunner(stores, applier, customers, clock, metrics, logger, {
    rules,
    version: await fileRulesVersion(stores.ruleVersions, clock, rules),
    tickMs: config.tickMs,
    checkpointEveryMs: options.checkpointEveryMs ?? 1000,
    overrides: { 'hub-offline': { silentFor: config.hubOfflineAfterMs, graceFor: config.hubOfflineGraceMs } },
    // FORECARE_RULES_THREAD=on: the engine judges every message on a thread of its own, the event loop keeps the broker.
    ...(config.rulesThread && onDisk ? { host: new ThreadEngineHost(logger) } : {}),
    listeners: new JournalListeners(store, logger, [new Presence(hubStore, customers, logger), new ChartHistory(new SqliteTelemetryExcerptStore(store), logger)]),
  });
  const journal = new Journal(stores.journal, stores.deadLetters, clock, metrics, logger, { maxBatch: config.journalMaxBatch, maxDelayMs: config.journalMaxDelayMs });
  // Ingest tells a hub why a message was refused through the broker it came in by: called only once both exist.
  const ingest = new Ingest(journal, clock, metrics, logger, (hubId, notice) => broker.sendNotice(hubId, notice));
  const broker = new Broker(hubs, mqttClients, ingest, metrics, logger, config.mqtt, () => clock.now());
  const notices = new TicketNotices(store, tickets, (hubId, notice) => broker.sendNotice(hubId, notice), clock, metrics, logger);
  bus.subscribe((_id, event) => notices.onEvent(event));
  journal.onCommitted((entries, batch) => runner.onCommitted(entries, batch));
  const fc = config.forecast;
  const forecasts = new WorkloadForecaster(new ForecastHistoryStore(store), new WeatherFeed(weatherSource(fc.weatherFeed)), clock, logger, metrics, {
    timeZone: fc.timeZone,
    calendar: loadHolidayCalendar(fc.holidayCountry, fc.holidaysDir === '' ? undefined : fc.holidaysDir),
    historyDays: fc.historyDays,
    forecast: { ...DEFAULT_FORECAST_OPTIONS, coolingBasesC: [fc.coolingBaseC], heatingBasesC: [fc.heatingBaseC], maxHistoryDays: fc.historyDays },
    cacheMs: 10 * 60_000,
  });
  const ctx: GatewayContext = { config, store, clock, metrics, logger, bus, hubs, customers, tickets, alarms, outbox, contacts, runner, broker, mqttClients, worker, fleet, sla, forecasts, adminToken: token.value, contactSecrets: secrets };
  const retention = new Retention(store, clock, logger, config.retentionMs, config.influx !== undefined ? ['rules', 'influx'] : ['rules']);
  const deadLetter = (letter: DeadLetter): Promise<void> => new Promise((resolve, reject) => journal.appendDeadLetter(letter, (err) => (err === undefined ? resolve() : reject(err))));
  const sink = config.influx !== undefined ? new InfluxSink(stores.journal, stores.checkpoints, config.influx, metrics, logger, deadLetter) : undefined;
  if (sink !== undefined) journal.onCommitted(() => sink.kick());
  const push = fc.pushUrl !== '' ? new ForecastPush(forecasts, clock, metrics, logger, { url: fc.pushUrl, hour: fc.pushHour, secrets, timeoutMs: config.contactCenter.timeoutMs, everyMs: 10 * 60_000 }) : undefined;
  // Both files' WALs are copied back off the threads that commit to them.
  const checkpointer = onDisk ? new WalCheckpointer([store.file, journalFileBeside(store.file)], logger) : undefined;

  let mqttPort = 0;
  let extra: { tlsPort: number | undefined; wsPort: number | undefined } = { tlsPort: undefined, wsPort: undefined };
  let api: FastifyInstance | undefined;
  let httpPort = 0;
  // Data-flow order; stopped in reverse, so the journal still commits what the broker had in flight and the rules checkpoint it.
  const list: Part[] = [
    part('store', () => undefined, () => store.close()),
    ...(onDisk ? [new VerifiedPasswordsFile(join(config.dataDir, 'verified-hub-passwords'), hubPasswords, logger)] : []),
    ...(checkpointer !== undefined ? [part('wal checkpointer', () => checkpointer.start(), () => checkpointer.stop())] : []),
    runner,
    part(
      'journal',
      async () => {
        // Dedupe is armed again from the journal's tail before the first message comes in.
        for (const r of await stores.journal.tail(DEDUPE_REPLAY)) ingest.remember(r.message, r.raw);
        await journal.start();
      },
      () => journal.close(),
    ),
    part(
      'mqtt broker',
      async () => {
        mqttPort = await broker.start(config.host, config.mqttPort);
        extra = await broker.startExtra(config.host, config.mqtt);
      },
      () => broker.stop(),
      PART_BOUND_MS,
    ),
    part(
      'http api',
      async () => {
        api = await buildApi(ctx);
        httpPort = await listen(api, config);
      },
      () => (api !== undefined ? closeApi(api) : undefined),
      PART_BOUND_MS,
    ),
    runner.ticks,
    part('sla monitor', () => sla.start(), () => sla.stop()),
    part('retention', () => retention.start(), () => retention.stop()),
    part('live event window', () => events.start(), () => events.stop()),
    ...(sink !== undefined ? [part('influx sink', () => sink.start(), () => sink.stop(), PART_BOUND_MS)] : []),
    part('delivery worker', () => worker.start(), () => worker.stop(), PART_BOUND_MS),
    ...(push !== undefined ? [part('forecast push', () => push.start(), () => push.stop(), PART_BOUND_MS)] : []),
  ];
  await parts.startAll(list);
  if (!worker.enabled) logger.warn('FORECARE_CONTACT_CENTER_URL is not set: contact tasks wait in the outbox');
  logger.info({ mqttPort, httpPort, dataDir: config.dataDir, ruleVersion: runner.ruleVersion }, 'forecare gateway started');
  return {
    ctx,
    mqttPort,
    httpPort,
    mqttsPort: extra.tlsPort,
    wsPort: extra.wsPort,
    generatedAdminToken: token.generated ? token.value : undefined,
    api: api as FastifyInstance,
    ingest,
    stop: () => parts.stopAll(),
    stopping: () => parts.current,
  };
}
