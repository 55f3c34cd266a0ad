import mqtt, { type MqttClient } from 'mqtt';
import { topics } from '@forecare/firmware-contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetAlerts } from '../store/schema.js';
import { startTestGateway, type TestGateway } from './test-gateway.js';

/**
 * The routes whose data access moved into store/ (telemetry, alarm events, an appliance's
 * contacts, fleet alerts), through app.inject on a gateway fed by a real hub over MQTT.
 */
const HUB = 'hub-page';
const FRIDGE = 'fridge-1';

let t: TestGateway;
let hub: MqttClient;

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  t = await startTestGateway();
  const creds = await t.call('POST', '/api/v1/hubs', { body: { hubId: HUB } });
  const customer = await t.call('POST', '/api/v1/customers', { body: { name: 'Grace Hopper', phone: '+1 202 555 0100', region: 'east', timezone: 'America/New_York' } });
  expect((await t.call('POST', '/api/v1/appliances', { body: { hubId: HUB, applianceId: FRIDGE, type: 'refrigerator', model: 'RF-500', customerId: customer.body.customerId } })).status).toBe(201);
  hub = await mqtt.connectAsync(`mqtt://127.0.0.1:${t.gw.mqttPort}`, { username: HUB, password: String(creds.body.password), clientId: `${HUB}-test`, reconnectPeriod: 0, protocolVersion: 4 });
  await hub.publishAsync(topics.telemetry(HUB, FRIDGE), JSON.stringify({ ts: Date.now(), seq: 1, type: 'refrigerator', metrics: { fridge_temp_c: 4.5, freezer_temp_c: -18 } }), { qos: 1 });
  await hub.publishAsync(topics.fault(HUB, FRIDGE), JSON.stringify({ ts: Date.now(), seq: 2, type: 'refrigerator', code: 'E-CMP-01', active: true }), { qos: 1 });
});

afterAll(async () => {
  await hub?.endAsync();
  await t?.stop();
});

describe('GET /api/v1/hubs/:hubId/appliances/:applianceId', () => {
  it('answers the page: registry data, customer, latest values with units, the fault marker, its alarm, ticket and contacts', async () => {
    const page = await until('the fault on the page', async () => {
      const r = await t.call('GET', `/api/v1/hubs/${HUB}/appliances/${FRIDGE}`, { token: t.tokens.engineer });
      return (r.body.markers as unknown[] | undefined)?.length ? r.body : undefined;
    });
    expect(page).toMatchObject({ hubId: HUB, applianceId: FRIDGE, type: 'refrigerator', model: 'RF-500', customer: { name: 'Grace Hopper', timeZone: 'America/New_York' } });
    expect(page.latest).toMatchObject({ metrics: { fridge_temp_c: 4.5, freezer_temp_c: -18 } });
    expect((page.units as Record<string, string>).fridge_temp_c).toBe('°C');
    expect(page.markers).toContainEqual(expect.objectContaining({ kind: 'fault', label: 'E-CMP-01' }));
    expect((page.alarms as { ruleId: string }[]).length).toBeGreaterThan(0);
    const tickets = await until('the ticket on the page', async () => {
      const r = await t.call('GET', `/api/v1/hubs/${HUB}/appliances/${FRIDGE}`);
      return (r.body.tickets as unknown[]).length > 0 ? (r.body.tickets as { sla: string }[]) : undefined;
    });
    expect(tickets[0]?.sla).toMatch(/^(ok|at-risk|breached)$/);
  });

  it('keeps markers to the range asked for, and refuses a range that ends before it starts', async () => {
    const empty = await t.call('GET', `/api/v1/hubs/${HUB}/appliances/${FRIDGE}?from=0&to=1`);
    expect(empty.status).toBe(200);
    expect(empty.body.markers).toEqual([]);
    const backwards = await t.call('GET', `/api/v1/hubs/${HUB}/appliances/${FRIDGE}?from=10&to=5`);
    expect(backwards.status).toBe(400);
    expect(backwards.body.code).toBe('GW_ERR_VALIDATION');
  });

  it('an appliance neither registered nor heard from is a 404 problem', async () => {
    const r = await t.call('GET', `/api/v1/hubs/${HUB}/appliances/oven-9`);
    expect(r.status).toBe(404);
    expect(r.body.code).toBe('GW_ERR_APPLIANCE_UNKNOWN');
  });
});

describe('GET /api/v1/hubs/:hubId/appliances/:applianceId/telemetry', () => {
  it("answers the appliance's points in the range, and none of another hub's appliance of the same name", async () => {
    const points = await t.call('GET', `/api/v1/hubs/${HUB}/appliances/${FRIDGE}/telemetry`, { token: t.tokens.dispatcher });
    expect(points.status).toBe(200);
    expect(points.body.items).toEqual([expect.objectContaining({ metrics: { fridge_temp_c: 4.5, freezer_temp_c: -18 } })]);
    expect((await t.call('GET', `/api/v1/hubs/other-hub/appliances/${FRIDGE}/telemetry`)).body.items).toEqual([]);
    expect((await t.call('GET', `/api/v1/hubs/${HUB}/appliances/${FRIDGE}/telemetry?from=0&to=1`)).body.items).toEqual([]);
  });
});

describe('POST /api/v1/fleet/alerts/:alertId/close', () => {
  it('closes an open alert once it exists, and is a 404 problem for one that does not', async () => {
    const missing = await t.call('POST', '/api/v1/fleet/alerts/no-such-alert/close', { token: t.tokens.manager });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('GW_ERR_NOT_FOUND');
    // The fleet monitor opens alerts after many raises of one fault on one model; the row it would write stands in here.
    const now = Date.now();
    t.gw.ctx.store.db.insert(fleetAlerts).values({ alertId: 'fa-1', model: 'RF-500', faultCode: 'E-CMP-01', affected: 12, baselinePerHour: 500, windowMs: 3_600_000, openedAt: now, updatedAt: now }).run();
    expect((await t.call('GET', '/api/v1/fleet/alerts?status=open')).body.items).toEqual([expect.objectContaining({ alertId: 'fa-1', status: 'open', baselinePerHour: 500 })]);
    const closed = await t.call('POST', '/api/v1/fleet/alerts/fa-1/close', { token: t.tokens.manager });
    expect(closed).toMatchObject({ status: 200, body: { alertId: 'fa-1', status: 'closed' } });
    expect((await t.call('GET', '/api/v1/fleet/alerts?status=open')).body.items).toEqual([]);
  });
});
