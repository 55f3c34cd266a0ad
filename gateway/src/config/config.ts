import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { checkSecrets } from '../contact-center/signing.js';
import { GatewayError } from '../errors.js';
import { isTimeZone } from '../forecast/local-time.js';
import { SETTINGS, type SettingKey } from './settings.js';

export interface GatewayConfig {
  readonly host: string;
  readonly mqttPort: number;
  readonly httpPort: number;
  readonly dataDir: string;
  readonly contactCenter: {
    readonly url: string;
    /** Signing secrets, newest first; several are valid at once during rotation. Empty = generate. */
    readonly secrets: readonly string[];
    readonly maxAttempts: number;
    readonly baseDelayMs: number;
    readonly maxDelayMs: number;
    readonly timeoutMs: number;
  };
  readonly adminToken: string;
  readonly rulesDir: string;
  readonly hubOfflineAfterMs: number;
  /** The hub-offline grace period after a last will (0: the will raises at once). */
  readonly hubOfflineGraceMs: number;
  readonly retentionMs: number;
  readonly service: { readonly slaAssignMs: number; readonly fallbackTeam: string; readonly verifyAfterMs: number; readonly reopenWindowMs: number; readonly fleet: { readonly windowMs: number; readonly baselineMs: number; readonly minCount: number; readonly factor: number } };
  /** Telemetry history store; undefined = off. */
  readonly influx: { readonly url: string; readonly token: string; readonly org: string; readonly bucket: string; readonly batchLines: number } | undefined;
  readonly mqtt: {
    /** MQTT over TLS; undefined = off. */
    readonly tlsPort: number | undefined;
    readonly wsPort: number | undefined;
    readonly tls: { readonly cert: string; readonly key: string; readonly ca: string };
    readonly maxPacketBytes: number;
    /** 0 = no limit (keepalive 0 accepted too). */
    readonly maxKeepaliveS: number;
    readonly maxSubscriptions: number;
    readonly maxTopicLevels: number;
    /** QoS 1/2 publishes one connection may have waiting for their acknowledgement. */
    readonly maxInflight: number;
    readonly maxClientIdLength: number;
    readonly loginFailuresPerMinute: number;
  };
  readonly sqliteSynchronous: 'NORMAL' | 'FULL';
  /** The rule engine on a thread of its own (FORECARE_RULES_THREAD=on). */
  readonly rulesThread: boolean;
  readonly journalMaxBatch: number;
  readonly journalMaxDelayMs: number;
  readonly tickMs: number;
  readonly logLevel: string;
  readonly forecast: {
    readonly timeZone: string;
    readonly holidayCountry: string;
    /** '' = the shipped holiday files. */
    readonly holidaysDir: string;
    /** '' = no weather feed. */
    readonly weatherFeed: string;
    readonly historyDays: number;
    readonly coolingBaseC: number;
    readonly heatingBaseC: number;
    /** '' = no daily push. */
    readonly pushUrl: string;
    readonly pushHour: number;
  };
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * '90s', '10m', '2h', '3d', '250ms'. A number needs its unit: FORECARE_RETENTION=7 was read as
 * 7 ms and emptied the journal; only 0 means the same in every unit.
 */
export function parseDuration(text: string, setting: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m || m[1] === undefined) throw new GatewayError('GW_ERR_CONFIG_INVALID', `${setting}: "${text}" is not a duration (e.g. 90s, 10m, 2h)`);
  if (m[2] === undefined && Number(m[1]) !== 0) throw new GatewayError('GW_ERR_CONFIG_INVALID', `${setting}: "${text}" has no unit: write ${m[1]}d, ${m[1]}h, ${m[1]}m, ${m[1]}s or ${m[1]}ms`);
  return Math.round(Number(m[1]) * (UNITS[m[2] ?? 'ms'] ?? 1));
}

/** FORECARE_CONTACT_CENTER_SECRET: comma-separated, newest first, each one a key the signer can use. */
function secretList(text: string): string[] {
  const secrets = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  checkSecrets(secrets);
  return secrets;
}

function parsePort(text: string, setting: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new GatewayError('GW_ERR_CONFIG_INVALID', `${setting}: "${text}" is not a port (0-65535)`);
  return n;
}

function parsePositive(text: string, setting: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new GatewayError('GW_ERR_CONFIG_INVALID', `${setting}: "${text}" must be a positive integer`);
  return n;
}

/**
 * Settings from, in order of precedence: environment variables, the JSON config file,
 * the documented defaults. Pure apart from reading the config file.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): GatewayConfig {
  const configPath = resolve(cwd, env.FORECARE_CONFIG ?? 'forecare.config.json');
  let file: Record<string, unknown> = {};
  if (existsSync(configPath)) {
    try {
      file = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new GatewayError('GW_ERR_CONFIG_INVALID', `${configPath}: not valid JSON (${(err as Error).message})`);
    }
  }
  const raw = (key: SettingKey): { value: string; from: string } => {
    const spec = SETTINGS.find((s) => s.key === key);
    if (spec === undefined) throw new GatewayError('GW_ERR_CONFIG_INVALID', `unknown setting ${key}`);
    const fromEnv = env[spec.env];
    if (fromEnv !== undefined && fromEnv !== '') return { value: fromEnv, from: spec.env };
    const fromFile = file[key];
    if (fromFile !== undefined && fromFile !== null) return { value: String(fromFile), from: `${key} in ${configPath}` };
    return { value: spec.default, from: spec.env };
  };
  const str = (key: SettingKey): string => raw(key).value;
  const port = (key: SettingKey): number => { const r = raw(key); return parsePort(r.value, r.from); };
  const positive = (key: SettingKey): number => { const r = raw(key); return parsePositive(r.value, r.from); };
  const duration = (key: SettingKey): number => { const r = raw(key); return parseDuration(r.value, r.from); };
  const nonNegative = (key: SettingKey): number => { const r = raw(key); return r.value.trim() === '0' ? 0 : parsePositive(r.value, r.from); };
  // aedes clamps to 100 (its topic matcher's ceiling); below 6 the contract's own topics would not fit.
  const topicLevels = (): number => {
    const r = raw('mqttMaxTopicLevels');
    const n = parsePositive(r.value, r.from);
    if (n < 6 || n > 100) throw new GatewayError('GW_ERR_CONFIG_INVALID', `${r.from}: "${r.value}" must be 6 to 100 (forecare/v1/{hubId}/appliances/{applianceId}/telemetry has 6 levels)`);
    return n;
  };

  const optionalPort = (key: SettingKey): number | undefined => {
    const r = raw(key);
    return r.value === '' ? undefined : parsePort(r.value, r.from);
  };
  const celsius = (key: SettingKey): number => {
    const r = raw(key);
    const n = Number(r.value);
    if (r.value.trim() === '' || !Number.isFinite(n) || n < -60 || n > 60) throw new GatewayError('GW_ERR_CONFIG_INVALID', `${r.from}: "${r.value}" must be a temperature in °C (-60 to 60)`);
    return n;
  };
  const zone = str('forecastTimezone');
  if (!isTimeZone(zone)) throw new GatewayError('GW_ERR_CONFIG_INVALID', `FORECARE_FORECAST_TIMEZONE: "${zone}" is not an IANA time zone (e.g. Asia/Shanghai, Europe/Berlin, UTC)`);
  const pushHour = Number(str('forecastPushHour'));
  if (!Number.isInteger(pushHour) || pushHour < 0 || pushHour > 23) throw new GatewayError('GW_ERR_CONFIG_INVALID', `FORECARE_FORECAST_PUSH_HOUR: "${str('forecastPushHour')}" must be an hour 0-23`);
  for (const key of ['forecastPushUrl', 'weatherFeed'] as const) {
    const v = str(key);
    if (/^https?:/i.test(v)) {
      try {
        new URL(v);
      } catch {
        throw new GatewayError('GW_ERR_CONFIG_INVALID', `${raw(key).from}: "${v}" is not a URL`);
      }
    } else if (key === 'forecastPushUrl' && v !== '') throw new GatewayError('GW_ERR_CONFIG_INVALID', `FORECARE_FORECAST_PUSH_URL: "${v}" is not an http(s) URL`);
  }
  const historyDays = Math.round(duration('forecastHistory') / 86_400_000);
  if (historyDays < 14 || historyDays > 3 * 366) throw new GatewayError('GW_ERR_CONFIG_INVALID', `FORECARE_FORECAST_HISTORY: "${str('forecastHistory')}" must be 14d to 1098d`);
  const sync = str('sqliteSynchronous').toUpperCase();
  if (sync !== 'NORMAL' && sync !== 'FULL') throw new GatewayError('GW_ERR_CONFIG_INVALID', `FORECARE_SQLITE_SYNCHRONOUS: "${sync}" must be NORMAL or FULL`);
  const rulesThread = str('rulesThread').toLowerCase();
  if (rulesThread !== 'on' && rulesThread !== 'off') throw new GatewayError('GW_ERR_CONFIG_INVALID', `FORECARE_RULES_THREAD: "${rulesThread}" must be on or off`);
  const url = str('contactCenterUrl');
  if (url !== '') {
    try {
      new URL(url);
    } catch {
      throw new GatewayError('GW_ERR_CONFIG_INVALID', `FORECARE_CONTACT_CENTER_URL: "${url}" is not a URL`);
    }
  }
  if (str('mqttsPort') !== '' && (str('tlsCert') === '' || str('tlsKey') === '')) {
    throw new GatewayError('GW_ERR_CONFIG_INVALID', 'FORECARE_MQTTS_PORT is set: set FORECARE_TLS_CERT and FORECARE_TLS_KEY to PEM files too');
  }
  return {
    host: str('host'),
    mqttPort: port('mqttPort'),
    httpPort: port('httpPort'),
    dataDir: resolve(cwd, str('dataDir')),
    contactCenter: {
      url,
      secrets: secretList(str('contactCenterSecret')),
      maxAttempts: positive('outboxMaxAttempts'),
      baseDelayMs: positive('outboxBaseDelayMs'),
      maxDelayMs: 600_000,
      timeoutMs: 10_000,
    },
    adminToken: str('adminToken'),
    rulesDir: str('rulesDir'),
    hubOfflineAfterMs: duration('hubOfflineAfter'),
    hubOfflineGraceMs: duration('hubOfflineGrace'),
    retentionMs: duration('retention'),
    service: {
      slaAssignMs: duration('slaAssign'),
      fallbackTeam: str('fallbackTeam'),
      verifyAfterMs: duration('verifyAfter'),
      reopenWindowMs: duration('reopenWindow'),
      fleet: { windowMs: duration('fleetWindow'), baselineMs: 7 * 86_400_000, minCount: positive('fleetMinCount'), factor: positive('fleetFactor') },
    },
    influx: str('influxUrl') === '' ? undefined : { url: str('influxUrl'), token: str('influxToken'), org: str('influxOrg'), bucket: str('influxBucket'), batchLines: 5000 },
    mqtt: {
      tlsPort: optionalPort('mqttsPort'),
      wsPort: optionalPort('mqttWsPort'),
      tls: { cert: str('tlsCert'), key: str('tlsKey'), ca: str('tlsCa') },
      maxPacketBytes: positive('mqttMaxPacketBytes'),
      maxKeepaliveS: nonNegative('mqttMaxKeepaliveS'),
      maxSubscriptions: positive('mqttMaxSubscriptions'),
      maxTopicLevels: topicLevels(),
      maxInflight: positive('mqttMaxInflight'),
      maxClientIdLength: positive('mqttMaxClientIdLength'),
      loginFailuresPerMinute: positive('loginFailuresPerMinute'),
    },
    sqliteSynchronous: sync,
    rulesThread: rulesThread === 'on',
    journalMaxBatch: positive('journalMaxBatch'),
    journalMaxDelayMs: nonNegative('journalMaxDelayMs'),
    tickMs: positive('tickMs'),
    logLevel: str('logLevel'),
    forecast: {
      timeZone: zone,
      holidayCountry: str('holidayCountry').trim().toUpperCase(),
      holidaysDir: str('holidaysDir') === '' ? '' : resolve(cwd, str('holidaysDir')),
      weatherFeed: /^https?:/i.test(str('weatherFeed')) || str('weatherFeed') === '' ? str('weatherFeed') : resolve(cwd, str('weatherFeed')),
      historyDays,
      coolingBaseC: celsius('forecastCoolingBaseC'),
      heatingBaseC: celsius('forecastHeatingBaseC'),
      pushUrl: str('forecastPushUrl'),
      pushHour,
    },
  };
}
