import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CLIMATES, generateHistory, type SimHistory } from '@forecare/device-sim';
import { ManualClock } from '../clock.js';
import { loadConfig } from '../config/config.js';
import { verify } from '../contact-center/signing.js';
import { startGateway, type RunningGateway } from '../controller.js';
import { createLogger } from '../log.js';
import { openStore, type Store } from '../store/db.js';
import { appliances, customers, outbox, tickets } from '../store/schema.js';

/**
 * The workload forecast end to end in one gateway: history rows in a real SQLite store, the
 * weather from a real HTTP server on a local port (serving, failing, then serving bad rows),
 * the API through app.inject, the daily push to a real HTTP receiver checking the signature.
 */

const TOKEN = 'forecast-test-admin-token';
const SECRET = 'whsec_' + Buffer.from('forecast-test-secret-0123456789ab').toString('base64');
const DAYS = 150;
const START = '2025-03-01';
const sim: SimHistory = generateHistory({
  start: START, days: DAYS, seed: 5, appliancesPerRegion: 6000, utcOffsetHours: 8,
  climates: DEFAULT_CLIMATES.filter((c) => c.region === 'East' || c.region === 'North'),
});
/** "Today" is the day after the history, 07:00 in Shanghai (after the 06:00 push hour). */
const today = sim.dates[DAYS - 14] ?? '';
const NOW = Date.parse(`${today}T07:00:00+08:00`);

interface Feed {
  body: string;
  status: number;
}
const feed: Feed = { body: '', status: 200 };
const pushes: { headers: IncomingMessage['headers']; body: string }[] = [];
let weatherServer: Server;
let pushServer: Server;
let gw: RunningGateway;
let dataDir: string;
const clock = new ManualClock(NOW);

function weatherCsv(rows: readonly { date: string; region: string; tempC: number }[]): string {
  return ['date,region,temp_c', ...rows.map((w) => `${w.date},${w.region},${w.tempC}`)].join('\n');
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

/** History as the ticket service, outbox and registry would have written it (the last 14 simulated days are the future). */
function seed(store: Store): void {
  const db = store.db;
  const past = (at: number) => at < NOW - 7 * 3_600_000;
  store.transaction(() => {
    for (const c of sim.customers) db.insert(customers).values({ customerId: c.customerId, name: c.customerId, phone: `+86100${c.customerId.length}`, region: c.region, language: c.language, channel: c.channel, createdAt: c.createdAt }).run();
    for (const a of sim.appliances) db.insert(appliances).values({ hubId: a.hubId, applianceId: a.applianceId, customerId: a.customerId, type: a.type, model: a.model, createdAt: a.createdAt }).run();
    for (const t of sim.tickets.filter((x) => past(x.openedAt))) {
      db.insert(tickets).values({ ticketId: t.ticketId, status: 'closed', hubId: t.hubId, applianceId: t.applianceId, customerId: t.customerId, faultClass: t.faultClass, faultCode: t.faultCode, severity: t.severity, title: t.faultCode, details: '{}', alarmKey: `${t.hubId}/${t.applianceId}|sim|${t.faultClass}`, region: t.region, openedAt: t.openedAt, updatedAt: t.openedAt }).run();
    }
    for (const k of sim.contacts.filter((x) => past(x.outcomeAt))) {
      db.insert(outbox).values({ taskId: k.taskId, purpose: 'repair', status: 'delivered', ticketId: k.ticketId, customerId: k.customerId, hubId: k.hubId, applianceId: k.applianceId, channel: k.channel, urgency: 'normal', payload: '{}', nextAttemptAt: k.createdAt, createdAt: k.createdAt, deliveredAt: k.createdAt, outcome: k.outcome, outcomeAt: k.outcomeAt }).run();
    }
  });
}

async function get<T = Record<string, unknown>>(url: string, token: string | null = TOKEN): Promise<{ status: number; body: T; type: string; raw: string }> {
  const res = await gw.api.inject({ method: 'GET', url, headers: token === null ? {} : { authorization: `Bearer ${token}` } });
  const type = String(res.headers['content-type'] ?? '');
  return { status: res.statusCode, body: (type.includes('json') ? JSON.parse(res.body) : {}) as T, type, raw: res.body };
}

interface Series { key: { region?: string }; model: string; withWeather: boolean; weatherNote?: string; daily: { date: string; mean: number; baseline: number }[]; hourly: unknown[]; drivers: { text: string }[] }
interface Report { weather: { status: string; error?: string; problems: { code: string; reason: string }[] }; series: Series[]; holidays: { country?: string } }

beforeAll(async () => {
  weatherServer = createServer((_req, res) => {
    res.writeHead(feed.status, { 'content-type': 'text/csv' });
    res.end(feed.body);
  });
  pushServer = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      pushes.push({ headers: req.headers, body });
      res.writeHead(202).end();
    });
  });
  const [wPort, pPort] = [await listen(weatherServer), await listen(pushServer)];
  feed.body = weatherCsv(sim.weather);
  dataDir = mkdtempSync(join(tmpdir(), 'forecare-forecast-'));
  const config = loadConfig({
    FORECARE_MQTT_PORT: '0', FORECARE_HTTP_PORT: '0', FORECARE_DATA_DIR: dataDir, FORECARE_ADMIN_TOKEN: TOKEN, FORECARE_LOG_LEVEL: 'silent',
    FORECARE_CONTACT_CENTER_SECRET: SECRET, FORECARE_CONFIG: join(dataDir, 'none.json'),
    FORECARE_WEATHER_FEED: `http://127.0.0.1:${wPort}/weather.csv`, FORECARE_FORECAST_PUSH_URL: `http://127.0.0.1:${pPort}/forecasts`, FORECARE_FORECAST_HISTORY: '120d',
  }, dataDir);
  // The history is there before the gateway starts, as after months of running (the push fires at start).
  const store = openStore(join(dataDir, 'forecare.db'));
  seed(store);
  store.close();
  gw = await startGateway(config, { clock, logger: createLogger({ level: 'silent' }) });
}, 60_000);

afterAll(async () => {
  await gw?.stop();
  if (weatherServer?.listening) await new Promise((r) => weatherServer.close(r));
  await new Promise((r) => pushServer?.close(r));
  rmSync(dataDir, { recursive: true, force: true });
});

describe('workload forecast API', () => {
  it('forecasts daily tickets by region with the weather of each region', async () => {
    const r = await get<Report & { granularity: string }>('/api/v1/forecasts?metric=tickets&by=region');
    expect(r.status).toBe(200);
    expect(r.body.weather.status).toBe('ok');
    expect(r.body.holidays.country).toBe('CN');
    expect(r.body.series.map((s) => s.key.region).sort()).toEqual(['East', 'North']);
    for (const s of r.body.series) {
      expect(s.daily).toHaveLength(14);
      expect(s.daily[0]?.date).toBe(today);
      expect(s.hourly).toEqual([]);
      expect(s.weatherNote ?? '').not.toMatch(/^without weather/);
    }
  });

  it('answers hourly, cut to the days asked for', async () => {
    const r = await get<Report>('/api/v1/forecasts?metric=inbound_calls&by=language&granularity=hourly&horizonDays=2');
    expect(r.status).toBe(200);
    const zh = r.body.series.find((s) => (s.key as { language?: string }).language === 'zh');
    expect(zh?.daily).toHaveLength(2);
    expect(zh?.hourly).toHaveLength(48);
  });

  it('exports hourly contact-center queues as WFM CSV: interval start with offset, queue, volume', async () => {
    const r = await get('/api/v1/forecasts/export');
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^text\/csv/);
    const lines = r.raw.trim().split('\r\n');
    expect(lines[0]).toBe('interval_start,queue,volume,volume_low_80,volume_high_80');
    expect(lines[1]).toMatch(new RegExp(`^${today}T00:00:00\\+08:00,(inbound|outbound)-[a-z]+(-[a-z]+)?,[\\d.]+,[\\d.]+,[\\d.]+$`));
    const queues = new Set(lines.slice(1).map((l) => l.split(',')[1]));
    expect([...queues].sort()).toEqual(['inbound-en', 'inbound-zh', 'outbound-push-en', 'outbound-push-zh', 'outbound-sms-en', 'outbound-sms-zh', 'outbound-voice-en', 'outbound-voice-zh']);
    expect(lines.length - 1).toBe(queues.size * 14 * 24);
    const json = await get<{ rows: { intervalStart: string; queue: string; volume: number }[] }>('/api/v1/forecasts/export?set=field&granularity=daily&format=json');
    expect(json.body.rows).toHaveLength(2 * 14);
    expect(json.body.rows[0]?.queue).toMatch(/^field-(East|North)$/);
  });

  it('pushed the day’s forecast to the contact center, signed like contact tasks', async () => {
    for (let i = 0; i < 100 && pushes.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    const p = pushes[0];
    expect(p).toBeDefined();
    const ok = verify([SECRET], { id: String(p?.headers['webhook-id']), timestamp: String(p?.headers['webhook-timestamp']), signature: String(p?.headers['webhook-signature']), body: p?.body ?? '' }, Math.floor(NOW / 1000));
    expect(ok).toEqual({ ok: true });
    expect(p?.headers['idempotency-key']).toBe(`forecast-${today}`);
    const body = JSON.parse(p?.body ?? '{}') as { type: string; data: { date: string; intervals: unknown[] } };
    expect(body.type).toBe('forecast.daily');
    expect(body.data.date).toBe(today);
    expect(body.data.intervals.length).toBe(8 * 14 * 24);
  });

  it('refuses bad queries with problem bodies', async () => {
    for (const q of ['metric=bogus', 'metric=tickets&by=__proto__', 'metric=tickets&horizonDays=15', 'metric=tickets&horizonDays=1e309', 'metric=tickets&extra=1', '', `metric=tickets&region=${'x'.repeat(100)}`]) {
      const r = await get<{ code: string; status: number }>(`/api/v1/forecasts?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body.code, q).toBe('GW_ERR_VALIDATION');
    }
    expect((await get('/api/v1/forecasts/export?set=everything')).status).toBe(400);
    expect((await get('/api/v1/forecasts?metric=tickets', null)).status).toBe(401);
  });

  it('answers 422 with the reason when there is no history of what was asked', async () => {
    const r = await get<{ code: string; detail: string }>('/api/v1/forecasts?metric=tickets&region=Atlantis');
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('GW_ERR_FORECAST_NO_HISTORY');
  });
});

describe('weather feed trouble', () => {
  it('feed down: the forecast still comes, marked as made without weather, with the reason', async () => {
    clock.advance(11 * 60_000); // past the answer cache
    feed.status = 503;
    const r = await get<Report>('/api/v1/forecasts?metric=tickets&by=region');
    expect(r.status).toBe(200);
    expect(r.body.weather.status).toBe('down');
    expect(r.body.weather.error).toBe('weather feed answered HTTP 503');
    expect(r.body.series).toHaveLength(2);
    for (const s of r.body.series) {
      expect(s.withWeather).toBe(false);
      expect(s.weatherNote).toBe('without weather: weather feed down: weather feed answered HTTP 503');
      expect(s.daily).toHaveLength(14);
    }
  });

  it('bad rows (missing days, unknown region, non-numbers) are reported with reasons, never filled with zeros', async () => {
    clock.advance(11 * 60_000);
    feed.status = 200;
    const gap = [sim.dates[DAYS - 12]!, sim.dates[DAYS - 11]!];
    feed.body = weatherCsv(sim.weather.filter((w) => !(w.region === 'East' && gap.includes(w.date)))) + `\n${today},Atlantis,30\n${gap[0]},East,warm\n`;
    const r = await get<Report>('/api/v1/forecasts?metric=tickets&by=region');
    expect(r.status).toBe(200);
    expect(r.body.weather.status).toBe('partial');
    expect(r.body.weather.problems.map((p) => p.code).sort()).toEqual(['non_number', 'unknown_region']);
    expect(r.body.weather.problems.find((p) => p.code === 'non_number')?.reason).toBe(`line ${sim.weather.length - 2 + 3}: temperature "warm" for East on ${gap[0]} is not a number`);
    expect(r.body.weather.problems.find((p) => p.code === 'unknown_region')?.reason).toBe('region "Atlantis" is not a region of any customer (1 row ignored)');
    const east = r.body.series.find((s) => s.key.region === 'East');
    const north = r.body.series.find((s) => s.key.region === 'North');
    // East misses two forecast days: it goes without weather and says which; North keeps its weather.
    expect(east?.withWeather).toBe(false);
    expect(east?.weatherNote).toBe(`without weather: weather forecast incomplete: no temperature for East on ${gap[0]}…${gap[1]}`);
    expect(north?.weatherNote ?? '').not.toMatch(/^without weather/);
  });

  it('nobody listening at the feed: the forecast still comes, without weather', async () => {
    clock.advance(11 * 60_000);
    await new Promise((res) => weatherServer.close(res));
    const gone = await get<Report>('/api/v1/forecasts?metric=visits&by=region');
    expect(gone.status).toBe(200);
    expect(gone.body.weather.error).toMatch(/^weather feed unreachable: (ECONNREFUSED|UND_ERR_SOCKET)/);
    expect(gone.body.series.length).toBe(2);
    expect(gone.body.series.every((s) => s.weatherNote?.startsWith('without weather: weather feed down'))).toBe(true);
  });
});
