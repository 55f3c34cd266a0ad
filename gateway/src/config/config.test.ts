import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

const env = (extra: Record<string, string>): NodeJS.ProcessEnv => ({ FORECARE_CONFIG: join(tmpdir(), 'no-such-forecare-config.json'), ...extra });

describe('broker limits in the config', () => {
  it('have safe defaults', () => {
    const { mqtt } = loadConfig(env({}));
    expect(mqtt).toMatchObject({ maxPacketBytes: 270_336, maxKeepaliveS: 1200, maxSubscriptions: 16, maxTopicLevels: 8, maxInflight: 1000, maxClientIdLength: 128 });
  });

  it('take 0 as "no keepalive limit"', () => {
    expect(loadConfig(env({ FORECARE_MQTT_MAX_KEEPALIVE_S: '0' })).mqtt.maxKeepaliveS).toBe(0);
  });

  it('refuse a topic depth the contract\'s own topics would not fit in, or past aedes\' ceiling', () => {
    expect(() => loadConfig(env({ FORECARE_MQTT_MAX_TOPIC_LEVELS: '5' }))).toThrow(/FORECARE_MQTT_MAX_TOPIC_LEVELS/);
    expect(() => loadConfig(env({ FORECARE_MQTT_MAX_TOPIC_LEVELS: '101' }))).toThrow(/6 to 100/);
    expect(loadConfig(env({ FORECARE_MQTT_MAX_TOPIC_LEVELS: '6' })).mqtt.maxTopicLevels).toBe(6);
  });

  it('refuse a negative or fractional limit with the setting named', () => {
    expect(() => loadConfig(env({ FORECARE_MQTT_MAX_INFLIGHT: '-1' }))).toThrow(/FORECARE_MQTT_MAX_INFLIGHT/);
    expect(() => loadConfig(env({ FORECARE_MQTT_MAX_KEEPALIVE_S: '1.5' }))).toThrow(/FORECARE_MQTT_MAX_KEEPALIVE_S/);
  });
});

describe('service settings in the config', () => {
  it('keep the rules on the event loop unless FORECARE_RULES_THREAD=on, and refuse other values with the setting named', () => {
    expect(loadConfig(env({})).rulesThread).toBe(false);
    expect(loadConfig(env({ FORECARE_RULES_THREAD: 'ON' })).rulesThread).toBe(true);
    expect(() => loadConfig(env({ FORECARE_RULES_THREAD: 'yes' }))).toThrow(/FORECARE_RULES_THREAD: "yes" must be on or off/);
  });

  it('take the reopen window as a duration, 30 days by default', () => {
    expect(loadConfig(env({})).service.reopenWindowMs).toBe(30 * 86_400_000);
    expect(loadConfig(env({ FORECARE_REOPEN_WINDOW: '2h' })).service.reopenWindowMs).toBe(7_200_000);
  });

  it('refuse a contact-center secret the signer cannot read, without echoing it', () => {
    expect(() => loadConfig(env({ FORECARE_CONTACT_CENTER_SECRET: 'whsec_not*base64!' }))).toThrow(/FORECARE_CONTACT_CENTER_SECRET: a secret is not a whsec_ base64 key/);
    expect(() => loadConfig(env({ FORECARE_CONTACT_CENTER_SECRET: 'whsec_not*base64!' }))).not.toThrow(/not\*base64/);
    expect(() => loadConfig(env({ FORECARE_CONTACT_CENTER_SECRET: 'whsec_' }))).toThrow(/FORECARE_CONTACT_CENTER_SECRET/);
    expect(loadConfig(env({ FORECARE_CONTACT_CENTER_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw, whsec_c2Vjb25k' })).contactCenter.secrets).toHaveLength(2);
  });

  it('refuse a duration without its unit (FORECARE_RETENTION=7 is not 7 ms), naming the setting and the units', () => {
    expect(() => loadConfig(env({ FORECARE_RETENTION: '7' }))).toThrow(/FORECARE_RETENTION: "7" has no unit: write 7d, 7h, 7m, 7s or 7ms/);
    expect(() => loadConfig(env({ FORECARE_HUB_OFFLINE_AFTER: '1.5' }))).toThrow(/has no unit/);
    for (const bad of ['7 days', '-1d', '1e3ms', 'd']) expect(() => loadConfig(env({ FORECARE_RETENTION: bad })), bad).toThrow(/FORECARE_RETENTION/);
    expect(loadConfig(env({ FORECARE_RETENTION: '7d' })).retentionMs).toBe(7 * 86_400_000);
    expect(loadConfig(env({ FORECARE_RETENTION: '250ms' })).retentionMs).toBe(250);
  });
});

describe('forecast settings in the config', () => {
  it('default to China: Asia/Shanghai, CN holidays, a year of history, no weather feed, no push', () => {
    expect(loadConfig(env({})).forecast).toEqual({ timeZone: 'Asia/Shanghai', holidayCountry: 'CN', holidaysDir: '', weatherFeed: '', historyDays: 365, coolingBaseC: 24, heatingBaseC: 10, pushUrl: '', pushHour: 6 });
  });

  it('take a feed URL as it is and a feed folder relative to the working directory', () => {
    expect(loadConfig(env({ FORECARE_WEATHER_FEED: 'https://weather.example/daily.csv' })).forecast.weatherFeed).toBe('https://weather.example/daily.csv');
    expect(loadConfig(env({ FORECARE_WEATHER_FEED: 'weather' }), '/srv/forecare').forecast.weatherFeed).toBe('/srv/forecare/weather');
  });

  it('refuse bad values with the setting named', () => {
    expect(() => loadConfig(env({ FORECARE_FORECAST_TIMEZONE: 'Mars/Olympus' }))).toThrow(/FORECARE_FORECAST_TIMEZONE: "Mars\/Olympus" is not an IANA time zone/);
    expect(() => loadConfig(env({ FORECARE_FORECAST_PUSH_HOUR: '24' }))).toThrow(/FORECARE_FORECAST_PUSH_HOUR/);
    expect(() => loadConfig(env({ FORECARE_FORECAST_PUSH_HOUR: '6.5' }))).toThrow(/FORECARE_FORECAST_PUSH_HOUR/);
    expect(() => loadConfig(env({ FORECARE_FORECAST_PUSH_URL: 'ftp://x' }))).toThrow(/FORECARE_FORECAST_PUSH_URL: "ftp:\/\/x" is not an http\(s\) URL/);
    expect(() => loadConfig(env({ FORECARE_WEATHER_FEED: 'http://[bad' }))).toThrow(/FORECARE_WEATHER_FEED: "http:\/\/\[bad" is not a URL/);
    expect(() => loadConfig(env({ FORECARE_FORECAST_COOLING_BASE_C: 'warm' }))).toThrow(/FORECARE_FORECAST_COOLING_BASE_C: "warm" must be a temperature/);
    expect(() => loadConfig(env({ FORECARE_FORECAST_HEATING_BASE_C: '1e9' }))).toThrow(/FORECARE_FORECAST_HEATING_BASE_C/);
    expect(() => loadConfig(env({ FORECARE_FORECAST_HISTORY: '3d' }))).toThrow(/FORECARE_FORECAST_HISTORY: "3d" must be 14d to 1098d/);
  });
});
