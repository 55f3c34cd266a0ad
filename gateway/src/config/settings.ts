/**
 * Every setting the gateway reads: its environment variable, config-file key, default and
 * meaning. The README's settings table and `forecare doctor` are written from this list,
 * so the three never disagree.
 */
export interface SettingSpec {
  readonly env: string;
  readonly key: string;
  readonly default: string;
  readonly description: string;
}

export const SETTINGS = [
  { env: 'FORECARE_HOST', key: 'host', default: '127.0.0.1', description: 'Address every listener binds to; 0.0.0.0 only when asked' },
  { env: 'FORECARE_MQTT_PORT', key: 'mqttPort', default: '1883', description: 'MQTT over TCP port (0 = any free port, printed at start)' },
  { env: 'FORECARE_HTTP_PORT', key: 'httpPort', default: '8080', description: 'HTTP port of the REST API, console and /metrics (0 = any free port)' },
  { env: 'FORECARE_DATA_DIR', key: 'dataDir', default: './data', description: 'Folder for the SQLite database, admin token and spool (created on first run)' },
  { env: 'FORECARE_CONTACT_CENTER_URL', key: 'contactCenterUrl', default: '', description: 'Where contact tasks are POSTed; empty = tasks wait in the outbox' },
  { env: 'FORECARE_CONTACT_CENTER_SECRET', key: 'contactCenterSecret', default: '', description: 'Standard Webhooks signing secret(s) (whsec_…); comma-separated for rotation, first one signs; generated and kept in the data dir when empty' },
  { env: 'FORECARE_ADMIN_TOKEN', key: 'adminToken', default: '', description: 'Bearer token for the API; generated at first start, kept in the data dir and printed once when empty' },
  { env: 'FORECARE_RULES_DIR', key: 'rulesDir', default: '', description: 'Folder of rule files (YAML/JSON); empty = the shipped default rules' },
  { env: 'FORECARE_MQTTS_PORT', key: 'mqttsPort', default: '', description: 'MQTT over TLS port; empty = off (needs FORECARE_TLS_CERT and FORECARE_TLS_KEY)' },
  { env: 'FORECARE_TLS_CERT', key: 'tlsCert', default: '', description: 'PEM file of the TLS certificate (chain)' },
  { env: 'FORECARE_TLS_KEY', key: 'tlsKey', default: '', description: 'PEM file of the TLS private key' },
  { env: 'FORECARE_TLS_CA', key: 'tlsCa', default: '', description: 'PEM file of the CA for hub client certificates (certificate CN = hub id); empty = passwords only' },
  { env: 'FORECARE_MQTT_WS_PORT', key: 'mqttWsPort', default: '', description: 'MQTT over WebSocket port (path /mqtt); empty = off' },
  { env: 'FORECARE_MQTT_MAX_PACKET_BYTES', key: 'mqttMaxPacketBytes', default: '270336', description: 'Largest MQTT packet accepted; a bigger one closes the connection before it is buffered' },
  { env: 'FORECARE_MQTT_MAX_KEEPALIVE_S', key: 'mqttMaxKeepaliveS', default: '1200', description: 'Largest keepalive a client may ask for; keepalive 0 (never time out) is refused too (CONNACK 2). A client silent past 1.5 x its keepalive is disconnected. 0 = no limit' },
  { env: 'FORECARE_MQTT_MAX_SUBSCRIPTIONS', key: 'mqttMaxSubscriptions', default: '16', description: 'Subscriptions one connection may hold; more get SUBACK 0x80' },
  { env: 'FORECARE_MQTT_MAX_TOPIC_LEVELS', key: 'mqttMaxTopicLevels', default: '8', description: 'Deepest topic or filter accepted, in levels (6 to 100; the deepest forecare topic has 6); a deeper one closes the connection' },
  { env: 'FORECARE_MQTT_MAX_INFLIGHT', key: 'mqttMaxInflight', default: '1000', description: 'QoS 1/2 publishes one connection may have waiting for their acknowledgement; one more closes the connection (MQTT 3.1.1 cannot advertise a window, so keep it above the clients\' in-flight window)' },
  { env: 'FORECARE_MQTT_MAX_CLIENT_ID_LENGTH', key: 'mqttMaxClientIdLength', default: '128', description: 'Longest client id accepted (CONNACK 2 beyond)' },
  { env: 'FORECARE_LOGIN_FAILURES_PER_MINUTE', key: 'loginFailuresPerMinute', default: '10', description: 'Failed logins (MQTT and console) per username and source address before that pair is refused for a minute; 5x that per address refuses its unknown usernames (one that logged in from it in the last day passes); 3x that per username from anywhere slows its unknown addresses by 1 s, never locks it out' },
  { env: 'FORECARE_INFLUX_URL', key: 'influxUrl', default: '', description: 'InfluxDB-compatible store for telemetry history (/api/v2/write); empty = off' },
  { env: 'FORECARE_INFLUX_TOKEN', key: 'influxToken', default: '', description: 'Token for the telemetry store' },
  { env: 'FORECARE_INFLUX_ORG', key: 'influxOrg', default: 'forecare', description: 'Organisation in the telemetry store' },
  { env: 'FORECARE_INFLUX_BUCKET', key: 'influxBucket', default: 'telemetry', description: 'Bucket in the telemetry store' },
  { env: 'FORECARE_RETENTION', key: 'retention', default: '7d', description: 'How long the journal, chart history and dead letters are kept in SQLite (backtests reach this far back)' },
  { env: 'FORECARE_SLA_ASSIGN', key: 'slaAssign', default: '4h', description: 'An open ticket not assigned this long goes to the fallback team' },
  { env: 'FORECARE_FALLBACK_TEAM', key: 'fallbackTeam', default: 'fallback', description: 'Team that gets tickets nobody assigned in time' },
  { env: 'FORECARE_REOPEN_WINDOW', key: 'reopenWindow', default: '30d', description: 'A fault that recurs within this long of its ticket being resolved or closed reopens that ticket as a repeat repair; later, a new ticket opens' },
  { env: 'FORECARE_VERIFY_AFTER', key: 'verifyAfter', default: '24h', description: 'A resolved ticket whose fault stays clear this long becomes verified' },
  { env: 'FORECARE_FLEET_WINDOW', key: 'fleetWindow', default: '1h', description: 'Window in which one fault code on one model is counted for the fleet red light' },
  { env: 'FORECARE_FLEET_MIN_COUNT', key: 'fleetMinCount', default: '5', description: 'Fewest affected appliances in the window for a fleet red light' },
  { env: 'FORECARE_FLEET_FACTOR', key: 'fleetFactor', default: '5', description: 'How many times the baseline rate (previous 7 days) the window must reach' },
  { env: 'FORECARE_HUB_OFFLINE_AFTER', key: 'hubOfflineAfter', default: '10m', description: 'A hub silent this long raises a hub-offline alarm (overrides the hub-offline rule)' },
  { env: 'FORECARE_HUB_OFFLINE_GRACE', key: 'hubOfflineGrace', default: '5m', description: "A hub whose last will came back within this long (a Wi-Fi drop, a gateway restart) raises no hub-offline alarm; one still away after it does, dated when it left (0 = at once; overrides the hub-offline rule's graceFor)" },
  { env: 'FORECARE_SQLITE_SYNCHRONOUS', key: 'sqliteSynchronous', default: 'NORMAL', description: 'NORMAL survives a killed process; FULL also survives power loss, at a cost' },
  { env: 'FORECARE_JOURNAL_MAX_BATCH', key: 'journalMaxBatch', default: '512', description: 'Most messages committed in one journal transaction' },
  { env: 'FORECARE_JOURNAL_MAX_DELAY_MS', key: 'journalMaxDelayMs', default: '0', description: 'Longest a message waits for its journal batch to fill before the commit (0 = a batch is what one turn of the event loop received); with FORECARE_SQLITE_SYNCHRONOUS=FULL a few ms gather more messages per disk sync' },
  { env: 'FORECARE_TICK_MS', key: 'tickMs', default: '250', description: 'How often rule timers are advanced' },
  { env: 'FORECARE_RULES_THREAD', key: 'rulesThread', default: 'off', description: 'on: the rule engine judges messages on a thread of its own and PUBACKs wait for the journal only (the rules follow at most 8 batches behind) — for machines with cores to spare; off: the rules judge each batch on the event loop before its PUBACKs go, which costs less CPU per message (on 2 cores shared with the load it is as fast, with a lower PUBACK p99)' },
  { env: 'FORECARE_OUTBOX_MAX_ATTEMPTS', key: 'outboxMaxAttempts', default: '24', description: 'Delivery attempts before a contact task is dead-lettered (24 with the default delays: about 2.5 hours of retries, so a contact-center outage of an hour loses nothing)' },
  { env: 'FORECARE_OUTBOX_BASE_DELAY_MS', key: 'outboxBaseDelayMs', default: '1000', description: 'First retry delay; doubles each attempt, with jitter, capped at 10 minutes' },
  { env: 'FORECARE_FORECAST_TIMEZONE', key: 'forecastTimezone', default: 'Asia/Shanghai', description: 'Time zone of the workload forecast: its days, hours and the intervals of the export (IANA name)' },
  { env: 'FORECARE_HOLIDAY_COUNTRY', key: 'holidayCountry', default: 'CN', description: 'Public holidays the forecast knows, from {FORECARE_HOLIDAYS_DIR}/{country}.json (CN and DE are shipped); empty = none' },
  { env: 'FORECARE_HOLIDAYS_DIR', key: 'holidaysDir', default: '', description: 'Folder of holiday files (CC.json); empty = the shipped gateway/holidays' },
  { env: 'FORECARE_WEATHER_FEED', key: 'weatherFeed', default: '', description: 'Daily temperature per region for the forecast: an http(s) URL serving CSV (date,region,temp_c) or JSON, or a folder of such files; empty = forecast without weather' },
  { env: 'FORECARE_FORECAST_HISTORY', key: 'forecastHistory', default: '365d', description: 'How much history the forecast models learn from' },
  { env: 'FORECARE_FORECAST_COOLING_BASE_C', key: 'forecastCoolingBaseC', default: '24', description: 'Daily mean temperature (°C) above which heat counts as cooling degrees in the forecast (air conditioners work hard above it)' },
  { env: 'FORECARE_FORECAST_HEATING_BASE_C', key: 'forecastHeatingBaseC', default: '10', description: 'Daily mean temperature (°C) below which cold counts as heating degrees in the forecast' },
  { env: 'FORECARE_FORECAST_PUSH_URL', key: 'forecastPushUrl', default: '', description: 'Where the daily workload forecast (hourly, per queue) is POSTed, signed like contact tasks; empty = off' },
  { env: 'FORECARE_FORECAST_PUSH_HOUR', key: 'forecastPushHour', default: '6', description: 'Local hour (0-23, in FORECARE_FORECAST_TIMEZONE) after which the daily forecast is pushed' },
  { env: 'FORECARE_LOG_LEVEL', key: 'logLevel', default: 'info', description: 'pino level: fatal, error, warn, info, debug, trace' },
  { env: 'FORECARE_CONFIG', key: 'configFile', default: 'forecare.config.json', description: 'Optional JSON file with any of the keys above; environment variables win' },
] as const satisfies readonly SettingSpec[];

export type SettingKey = (typeof SETTINGS)[number]['key'];
