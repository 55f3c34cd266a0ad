import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import type { RunningGateway } from '@forecare/gateway';
import { topics } from '@forecare/firmware-contracts';
import { api, connectHub, startTestGateway, tempDir, until, type Api } from '../support/gateway.js';

/** Two homes, each with its own `fridge-1`: the contract makes an appliance id unique only within its hub. */
const HOMES = [
  { hubId: 'hub-home-a', customerId: 'cus-a', name: 'Ada', phone: '+49 30 1111111', model: 'RF-100', serial: 'SN-A' },
  { hubId: 'hub-home-b', customerId: 'cus-b', name: 'Bo', phone: '+49 30 2222222', model: 'RF-200', serial: 'SN-B' },
] as const;
const FRIDGE = 'fridge-1';

interface ApplianceJson {
  hubId: string;
  applianceId: string;
  customerId: string | null;
  model: string | null;
  serial: string | null;
  lastSeenAt: number | null;
}

describe('an appliance is (hub, appliance id): two homes with fridge-1 stay two', () => {
  let gw: RunningGateway;
  let http: Api;
  const hubs: MqttClient[] = [];

  beforeAll(async () => {
    gw = await startTestGateway({ FORECARE_DATA_DIR: tempDir() });
    http = api(gw);
    for (const h of HOMES) {
      const created = await http.call<{ password: string }>('POST', '/api/v1/hubs', { hubId: h.hubId });
      expect(created.status).toBe(201);
      expect((await http.call('POST', '/api/v1/customers', { customerId: h.customerId, name: h.name, phone: h.phone })).status).toBe(201);
      hubs.push(await connectHub(gw, h.hubId, created.body.password));
    }
  });
  afterAll(async () => {
    for (const h of hubs) h.end(true);
    await gw?.stop();
  });

  it('registers the second home\'s fridge-1 beside the first, each linked to its own customer', async () => {
    for (const h of HOMES) {
      const r = await http.call<ApplianceJson>('POST', '/api/v1/appliances', { hubId: h.hubId, applianceId: FRIDGE, customerId: h.customerId, type: 'refrigerator', model: h.model, serial: h.serial });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
    for (const h of HOMES) {
      const items = (await http.call<{ items: ApplianceJson[] }>('GET', `/api/v1/appliances?hubId=${h.hubId}`)).body.items;
      expect(items).toEqual([expect.objectContaining({ hubId: h.hubId, applianceId: FRIDGE, customerId: h.customerId, serial: h.serial })]);
    }
  });

  it("one home's telemetry is that home's: its appliance is seen and charted, the other's is not", async () => {
    const at = Date.now();
    const [a] = hubs;
    await a?.publishAsync(topics.telemetry(HOMES[0].hubId, FRIDGE), JSON.stringify({ ts: at, seq: 1, type: 'refrigerator', metrics: { fridge_temp_c: 4.5 } }), { qos: 1 });
    const seen = await until('home A\'s fridge seen', async () => {
      const items = (await http.call<{ items: ApplianceJson[] }>('GET', `/api/v1/appliances?hubId=${HOMES[0].hubId}`)).body.items;
      return items[0]?.lastSeenAt !== null ? items[0] : undefined;
    });
    expect(seen.serial).toBe('SN-A');
    const other = (await http.call<{ items: ApplianceJson[] }>('GET', `/api/v1/appliances?hubId=${HOMES[1].hubId}`)).body.items;
    expect(other[0]?.lastSeenAt).toBeNull();
    const chartA = await until('home A\'s chart', async () => {
      const r = await http.call<{ items: unknown[] }>('GET', `/api/v1/hubs/${HOMES[0].hubId}/appliances/${FRIDGE}/telemetry?from=${at - 60_000}&to=${at + 60_000}`);
      return r.body.items.length > 0 ? r.body.items : undefined;
    });
    expect(chartA).toHaveLength(1);
    const chartB = await http.call<{ items: unknown[] }>('GET', `/api/v1/hubs/${HOMES[1].hubId}/appliances/${FRIDGE}/telemetry?from=${at - 60_000}&to=${at + 60_000}`);
    expect(chartB.status).toBe(200);
    expect(chartB.body.items).toEqual([]);
  });

  it('the same fault on both fridge-1s opens two tickets, each filled with its own home', async () => {
    const opened = [];
    for (const h of HOMES) {
      const r = await http.call<{ ticketId: string; outcome: string; hubId: string; details: { customer: { name: string } | null; appliance: { serial: string | null } | null } }>('POST', '/api/v1/tickets', { hubId: h.hubId, applianceId: FRIDGE, faultCode: 'E-FAN-01', title: 'Fan failure' });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(r.body.outcome).toBe('opened');
      expect(r.body.details.customer?.name).toBe(h.name);
      expect(r.body.details.appliance?.serial).toBe(h.serial);
      opened.push(r.body.ticketId);
    }
    expect(new Set(opened).size).toBe(2);
    const ofB = (await http.call<{ items: { ticketId: string }[] }>('GET', `/api/v1/tickets?hubId=${HOMES[1].hubId}&applianceId=${FRIDGE}`)).body.items;
    expect(ofB.map((t) => t.ticketId)).toEqual([opened[1]]);
  });

  it('the same fault code from both fridge-1s over MQTT raises two alarms, one per home', async () => {
    for (const [i, h] of HOMES.entries()) {
      await hubs[i]?.publishAsync(topics.fault(h.hubId, FRIDGE), JSON.stringify({ ts: Date.now(), seq: 10 + i, type: 'refrigerator', code: 'E-DEF-01', active: true }), { qos: 1 });
    }
    const alarms = await until('two alarms', async () => {
      const items = (await http.call<{ items: { alarmKey: string; hubId: string; applianceId: string; count: number }[] }>('GET', '/api/v1/alarms')).body.items.filter((a) => a.alarmKey.includes('E-DEF-01'));
      return items.length >= 2 ? items : undefined;
    });
    expect(alarms.map((a) => a.hubId).sort()).toEqual([HOMES[0].hubId, HOMES[1].hubId]);
    for (const a of alarms) expect(a.count).toBe(1);
  });

  it("a caller's context lists only their own fridge-1 and tickets", async () => {
    const ctx = await http.call<{ customer: { customerId: string }; appliances: { hubId: string }[]; openTickets: { hubId: string }[] }>('GET', `/api/v1/context?phone=${encodeURIComponent(HOMES[1].phone)}`);
    expect(ctx.body.customer.customerId).toBe(HOMES[1].customerId);
    expect(ctx.body.appliances.map((a) => a.hubId)).toEqual([HOMES[1].hubId]);
    expect(ctx.body.openTickets.length).toBeGreaterThan(0);
    expect(new Set(ctx.body.openTickets.map((t) => t.hubId))).toEqual(new Set([HOMES[1].hubId]));
  });
});
