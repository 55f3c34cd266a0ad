import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { ManualClock, type RunningGateway } from '@forecare/gateway';
import { topics } from '@forecare/firmware-contracts';
import { ContactCenterStandIn } from '../support/contact-center.js';
import { api, connectHub, sleep, startTestGateway, tempDir, until, type Api } from '../support/gateway.js';

const SECRET = 'whsec_' + Buffer.from('forecare-e2e-signing-key-32-bytes!!').toString('base64');
const HUB = 'hub-e2e-1';
const FRIDGE = 'hub-e2e-1.fridge';
const WASHER = 'hub-e2e-1.washer';

interface TicketJson {
  ticketId: string;
  status: string;
  faultCode: string | null;
  alarmCount: number;
  details: { customer: { name: string; phone: string } | null; appliance: { model: string | null; serial: string | null } | null; fault: { code: string | null; meaning: string; likelyPart: string | null } };
}

describe('the proactive-service loop on real parts', () => {
  const cc = new ContactCenterStandIn(SECRET);
  const dataDir = tempDir();
  let gw: RunningGateway;
  let http: Api;
  let hub: MqttClient;
  let password = '';
  let seq = 1;

  const env = () => ({ FORECARE_DATA_DIR: dataDir, FORECARE_CONTACT_CENTER_URL: cc.url, FORECARE_CONTACT_CENTER_SECRET: SECRET, FORECARE_HUB_OFFLINE_AFTER: '1500ms' });
  const publish = async (topic: string, payload: unknown): Promise<void> => {
    await hub.publishAsync(topic, JSON.stringify(payload), { qos: 1 });
  };
  const tickets = async (): Promise<TicketJson[]> => (await http.call<{ items: TicketJson[] }>('GET', '/api/v1/tickets')).body.items;

  beforeAll(async () => {
    await cc.start();
    gw = await startTestGateway(env());
    http = api(gw);
  });

  afterAll(async () => {
    hub?.end(true);
    await gw?.stop();
    await cc.stop();
  });

  it('answers health and refuses the API without a token, with a problem body', async () => {
    expect((await http.call('GET', '/api/v1/health', undefined, null)).body).toMatchObject({ status: 'ok' });
    const denied = await http.call<{ code: string; status: number }>('GET', '/api/v1/tickets', undefined, null);
    expect(denied.status).toBe(401);
    expect(denied.headers.get('content-type')).toContain('application/problem+json');
    expect(denied.body).toMatchObject({ code: 'GW_ERR_UNAUTHORIZED', status: 401 });
  });

  it('provisions a hub once, registers its customer and appliances', async () => {
    const created = await http.call<{ hubId: string; username: string; password: string }>('POST', '/api/v1/hubs', { hubId: HUB });
    expect(created.status).toBe(201);
    expect(created.body.username).toBe(HUB);
    password = created.body.password;
    expect(password.length).toBeGreaterThanOrEqual(20);
    expect((await http.call('POST', '/api/v1/hubs', { hubId: HUB })).status).toBe(409);
    const hubRow = gw.ctx.store.sqlite.prepare('SELECT password_hash FROM hubs WHERE hub_id = ?').get(HUB) as { password_hash: string };
    expect(hubRow.password_hash).not.toContain(password);
    expect(hubRow.password_hash).toMatch(/^scrypt\$/);

    const customer = await http.call<{ customerId: string }>('POST', '/api/v1/customers', { customerId: 'cus-ada', name: 'Ada Lovelace', phone: '+44 20 7946 0001', address: '12 St James Sq, London', region: 'london' });
    expect(customer.status).toBe(201);
    for (const [applianceId, type, model] of [[FRIDGE, 'refrigerator', 'RF-500'], [WASHER, 'washer', 'WM-80']] as const) {
      const a = await http.call('POST', '/api/v1/appliances', { applianceId, hubId: HUB, customerId: 'cus-ada', type, model, serial: `SN-${model}-0001` });
      expect(a.status).toBe(201);
    }
  });

  it('a compressor fault makes one alarm, one auto-filled ticket and one signed contact task', async () => {
    hub = await connectHub(gw, HUB, password);
    await publish(topics.status(HUB), { state: 'online', ts: Date.now() });
    await publish(topics.telemetry(HUB, FRIDGE), { ts: Date.now(), seq: seq++, type: 'refrigerator', metrics: { fridge_temp_c: 4.1, freezer_temp_c: -18.2, compressor_duty: 0.55 } });
    await publish(topics.fault(HUB, FRIDGE), { ts: Date.now(), seq: seq++, type: 'refrigerator', code: 'E-CMP-01', active: true });

    const [ticket] = await until('a ticket', async () => {
      const t = await tickets();
      return t.length > 0 ? t : undefined;
    });
    expect(ticket?.faultCode).toBe('E-CMP-01');
    expect(ticket?.details.customer).toMatchObject({ name: 'Ada Lovelace', phone: '+44 20 7946 0001' });
    expect(ticket?.details.appliance).toMatchObject({ model: 'RF-500', serial: 'SN-RF-500-0001' });
    expect(ticket?.details.fault.meaning.length).toBeGreaterThan(5);

    const alarms = (await http.call<{ items: { ruleId: string; applianceId: string }[] }>('GET', '/api/v1/alarms')).body.items;
    expect(alarms.filter((a) => a.ruleId === 'fault-code')).toHaveLength(1);

    const task = await until('a contact task at the contact center', () => cc.accepted[0]);
    expect(task.verified).toBe(true);
    expect(task.headers['idempotency-key']).toBe(task.headers['webhook-id']);
    expect(task.json.data).toMatchObject({ purpose: 'repair', ticketId: ticket?.ticketId, customerId: 'cus-ada' });
    expect(cc.received.every((r) => r.verified)).toBe(true);
    // The task is what the published contact-center API document promises.
    const doc = parse(readFileSync(new URL('../../gateway/docs/contact-center-api.yaml', import.meta.url), 'utf8')) as { components: { schemas: Record<string, object> } };
    // ajv (CommonJS) comes with fastify; loaded the CommonJS way.
    type Validate = ((v: unknown) => boolean) & { errors?: unknown };
    const Ajv = createRequire(import.meta.url)('ajv') as new (o: object) => { addSchema(s: object): void; compile(s: object): Validate };
    const ajv = new Ajv({ strict: false });
    ajv.addSchema({ $id: 'cc', components: doc.components });
    const valid = ajv.compile({ $ref: 'cc#/components/schemas/ContactTask' });
    expect(valid(task.json), JSON.stringify(valid.errors)).toBe(true);
  });

  it('the same fault again attaches to the ticket: still one ticket, one contact', async () => {
    await publish(topics.fault(HUB, FRIDGE), { ts: Date.now(), seq: seq++, type: 'refrigerator', code: 'E-CMP-01', active: true });
    await until('the repeat attached', async () => ((await tickets())[0]?.alarmCount === 2 ? true : undefined));
    await sleep(500);
    expect(await tickets()).toHaveLength(1);
    expect(cc.accepted).toHaveLength(1);
  });

  it('a contact center answering 500 twice gets the task on the third try, with the same idempotency key', async () => {
    cc.failNext = 2;
    const before = cc.received.length;
    await publish(topics.fault(HUB, WASHER), { ts: Date.now(), seq: seq++, type: 'washer', code: 'E-DRN-01', active: true });
    const delivered = await until('the washer task delivered', () => cc.accepted.find((t) => t.json.data.applianceId === WASHER));
    const tries = cc.received.slice(before).filter((r) => r.json.data.applianceId === WASHER);
    expect(tries.map((r) => r.status)).toEqual([500, 500, 202]);
    expect(new Set(tries.map((r) => r.headers['idempotency-key'])).size).toBe(1);
    // The stand-in's 202 is on the wire before the gateway records it: wait for the record.
    const task = await until('the task recorded as delivered', async () => {
      const t = await http.call<{ status: string; attempts: unknown[] }>('GET', `/api/v1/contacts/${String(delivered.headers['idempotency-key'])}`);
      return t.body.status === 'delivered' ? t : undefined;
    });
    expect(task.body.attempts).toHaveLength(3);
    expect(await tickets()).toHaveLength(2);
  });

  it('a hub that disconnects without a will and stays away raises an offline alarm while it is away', async () => {
    hub.stream.destroy();
    const offline = await until('hub offline alarm', async () => {
      const items = (await http.call<{ items: { ruleId: string; hubId: string; status: string }[] }>('GET', '/api/v1/alarms')).body.items;
      return items.find((a) => a.ruleId === 'hub-offline' && a.hubId === HUB);
    });
    expect(offline.status).toBe('raised');
    expect(gw.ctx.broker.connectedHubIds()).not.toContain(HUB);
  });

  it('after a restart the tickets are still there and nothing is sent twice', async () => {
    const ticketsBefore = await tickets();
    const sentBefore = cc.received.length;
    const alarmsBefore = (await http.call<{ items: unknown[] }>('GET', '/api/v1/alarms?all=true')).body.items.length;
    await gw.stop();
    gw = await startTestGateway(env());
    http = api(gw);
    expect((await tickets()).map((t) => t.ticketId).sort()).toEqual(ticketsBefore.map((t) => t.ticketId).sort());
    await sleep(1500);
    expect(cc.received.length).toBe(sentBefore);
    expect((await http.call<{ items: unknown[] }>('GET', '/api/v1/alarms?all=true')).body.items.length).toBe(alarmsBefore);
    // The hub comes back: its offline alarm clears, and the same compressor fault still attaches to the open ticket.
    hub = await connectHub(gw, HUB, password);
    await publish(topics.status(HUB), { state: 'online', ts: Date.now() });
    await publish(topics.fault(HUB, FRIDGE), { ts: Date.now(), seq: seq++, type: 'refrigerator', code: 'E-CMP-01', active: true });
    await until('offline alarm cleared', async () => {
      const items = (await http.call<{ items: { ruleId: string }[] }>('GET', '/api/v1/alarms')).body.items;
      return items.some((a) => a.ruleId === 'hub-offline') ? undefined : true;
    });
    await sleep(500);
    expect(await tickets()).toHaveLength(ticketsBefore.length);
    expect((await tickets()).filter((t) => t.faultCode !== null)).toHaveLength(2);
    expect(cc.received.length).toBe(sentBefore);
  });
});

describe('food on real parts', () => {
  it('an item expiring tomorrow becomes one customer notification at the household digest hour, not a ticket', async () => {
    // The digest waits for the household's hour (08:00 in its customer's time zone): a gateway of its own, on a clock the test moves.
    // (Its contact task is checked in the outbox: a contact center would refuse signatures dated a day from now.)
    const start = Date.UTC(2026, 4, 4, 9, 0);
    const clock = new ManualClock(start);
    const food = await startTestGateway({ FORECARE_DATA_DIR: tempDir(), FORECARE_TICK_MS: '3600000', FORECARE_HUB_OFFLINE_AFTER: '2d' }, { clock });
    try {
      const foodApi = api(food);
      expect((await foodApi.call('POST', '/api/v1/customers', { customerId: 'cus-grace', name: 'Grace Hopper', phone: '+1 212 555 0100', timezone: 'America/New_York' })).status).toBe(201);
      const { password: pw } = (await foodApi.call<{ password: string }>('POST', '/api/v1/hubs', { hubId: 'hub-food', customerId: 'cus-grace' })).body;
      const fridge = await connectHub(food, 'hub-food', pw);
      const items = [
        { itemId: 'milk-1', name: 'Milk', category: 'dairy', storedAt: start - 3 * 86_400_000, expiresAt: start + 86_400_000 },
        { itemId: 'rice-1', name: 'Rice', category: 'leftovers', storedAt: start, expiresAt: start + 30 * 86_400_000 },
      ];
      const inventory = async (n: number): Promise<void> => {
        await fridge.publishAsync(topics.inventory('hub-food', 'fridge-1'), JSON.stringify({ ts: clock.now(), seq: n, type: 'refrigerator', items }), { qos: 1 });
        await food.ctx.runner.settled();
      };
      const tasks = (): { purpose: string; status: string; customerId: string | null; payload: string }[] => food.ctx.outbox.list({ limit: 100 }).filter((t) => t.purpose === 'food');
      await inventory(1);
      // The customers' time zones reach the rules within minutes (they are read again every five).
      clock.set(start + 6 * 60_000);
      await food.ctx.runner.tick();
      expect(tasks()).toEqual([]);
      // 08:00 in New York (EDT, UTC-4) is 12:00 UTC.
      clock.set(Date.UTC(2026, 4, 4, 12, 0));
      await food.ctx.runner.tick();
      expect(tasks().map((t) => [t.customerId, t.status])).toEqual([['cus-grace', 'pending']]);
      expect(tasks()[0]?.payload).toContain('Milk');
      expect(tasks()[0]?.payload).not.toContain('Rice');
      // The same inventory again, and the next day's digest hour: milk was told, nothing more is sent.
      clock.set(Date.UTC(2026, 4, 4, 13, 0));
      await inventory(2);
      clock.set(Date.UTC(2026, 4, 5, 12, 0));
      await food.ctx.runner.tick();
      expect(tasks()).toHaveLength(1);
      expect((await foodApi.call<{ items: unknown[] }>('GET', '/api/v1/tickets')).body.items).toEqual([]);
      await fridge.endAsync(true);
    } finally {
      await food.stop();
    }
  });
  it("the digest comes at the hour the customer chose, in the customer's time zone; an hour that is no time of day is a 400", async () => {
    const start = Date.UTC(2026, 4, 4, 1, 0); // 09:00 in Shanghai
    const clock = new ManualClock(start);
    const food = await startTestGateway({ FORECARE_DATA_DIR: tempDir(), FORECARE_TICK_MS: '3600000', FORECARE_HUB_OFFLINE_AFTER: '2d' }, { clock });
    try {
      const foodApi = api(food);
      expect((await foodApi.call('POST', '/api/v1/customers', { customerId: 'cus-li', name: 'Li Wei', phone: '+86 21 5555 0100', timezone: 'Asia/Shanghai', language: 'zh' })).status).toBe(201);
      for (const digestAt of ['25:00', '7:30', 1930, '19:30:00']) expect((await foodApi.call('PATCH', '/api/v1/customers/cus-li', { digestAt })).status).toBe(400);
      expect((await foodApi.call<{ digestAt: string }>('PATCH', '/api/v1/customers/cus-li', { digestAt: '19:30' })).body.digestAt).toBe('19:30');
      const { password: pw } = (await foodApi.call<{ password: string }>('POST', '/api/v1/hubs', { hubId: 'hub-li', customerId: 'cus-li' })).body;
      const fridge = await connectHub(food, 'hub-li', pw);
      const items = [{ itemId: 'tofu-1', name: 'Tofu', category: 'dairy', storedAt: start - 2 * 86_400_000, expiresAt: start + 86_400_000 }];
      await fridge.publishAsync(topics.inventory('hub-li', 'fridge-1'), JSON.stringify({ ts: clock.now(), seq: 1, type: 'refrigerator', items }), { qos: 1 });
      await food.ctx.runner.settled();
      const tasks = (): { customerId: string | null }[] => food.ctx.outbox.list({ limit: 100 }).filter((t) => t.purpose === 'food');
      clock.set(start + 6 * 60_000);
      await food.ctx.runner.tick();
      // Not at the rule's 08:00 (00:00 UTC next day is past; 08:00 local today was before the inventory), not at 19:00 local …
      clock.set(Date.UTC(2026, 4, 4, 11, 0));
      await food.ctx.runner.tick();
      expect(tasks()).toEqual([]);
      // … at 19:30 in Shanghai (UTC+8): 11:30 UTC.
      clock.set(Date.UTC(2026, 4, 4, 11, 30));
      await food.ctx.runner.tick();
      expect(tasks().map((t) => t.customerId)).toEqual(['cus-li']);
      await fridge.endAsync(true);
    } finally {
      await food.stop();
    }
  });
});
