import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '@forecare/firmware-contracts';
import { ContactCenterStandIn } from '../support/contact-center.js';
import { ADMIN_TOKEN, tempDir, until } from '../support/gateway.js';
import { kill, spawnGateway, type GatewayProcess } from '../support/process.js';

const SECRET = 'whsec_' + Buffer.from('forecare-outbox-crash-key-0123456789').toString('base64');

describe('contacts survive a gateway killed while tasks are in flight', () => {
  const cc = new ContactCenterStandIn(SECRET);
  const dataDir = tempDir();
  const running: GatewayProcess[] = [];

  beforeAll(async () => {
    await cc.start();
  });
  afterAll(async () => {
    for (const gw of running) await kill(gw, 'SIGTERM');
    await cc.stop();
  });

  it('SIGKILL with deliveries outstanding: after restart every task reaches the contact center, none twice per key', async () => {
    const env = { FORECARE_CONTACT_CENTER_URL: cc.url, FORECARE_CONTACT_CENTER_SECRET: SECRET, FORECARE_OUTBOX_BASE_DELAY_MS: '200' };
    const first = await spawnGateway(dataDir, env);
    running.push(first);
    const call = (gw: GatewayProcess, method: string, path: string, body?: unknown): Promise<Response> =>
      fetch(`http://127.0.0.1:${gw.httpPort}${path}`, { method, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const HUBS = 12;
    cc.delayMs = 1500; // answers arrive after the kill
    for (let i = 0; i < HUBS; i++) {
      const hubId = `crash-cc-${i}`;
      const { password } = (await (await call(first, 'POST', '/api/v1/hubs', { hubId })).json()) as { password: string };
      await call(first, 'POST', '/api/v1/customers', { customerId: `c-${i}`, name: `Customer ${i}`, phone: `+1 555 01${String(i).padStart(2, '0')}` });
      await call(first, 'POST', '/api/v1/appliances', { applianceId: `${hubId}.fridge`, hubId, customerId: `c-${i}`, type: 'refrigerator' });
      const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${first.mqttPort}`, { username: hubId, password, protocolVersion: 4, reconnectPeriod: 0 });
      await c.publishAsync(topics.fault(hubId, `${hubId}.fridge`), JSON.stringify({ ts: Date.now(), seq: 1, type: 'refrigerator', code: 'E-CMP-01', active: true }), { qos: 1 });
      c.end(true);
    }
    // Let the worker send (the stand-in holds its answers), then kill with deliveries outstanding.
    await until('deliveries in flight', () => (cc.arrived > cc.received.length ? true : undefined));
    await kill(first, 'SIGKILL');
    const answeredBeforeKill = cc.received.length;
    cc.delayMs = 0;
    const second = await spawnGateway(dataDir, env);
    running.push(second);
    await until(
      'every task accepted',
      () => (cc.accepted.length >= HUBS ? true : undefined),
      20_000,
    );
    await new Promise((r) => setTimeout(r, 1500));
    const keys = cc.received.filter((r) => r.status < 300).map((r) => String(r.headers['idempotency-key']));
    // Resent after the crash with the same key is allowed (the receiver drops it); a task under a new key is not.
    expect(new Set(keys).size).toBe(HUBS);
    // The ones in flight at the kill (the stand-in took them, the gateway never heard back) came again under their key.
    expect(answeredBeforeKill).toBeLessThan(HUBS);
    expect(keys.length).toBeGreaterThan(HUBS);
    expect(cc.accepted).toHaveLength(HUBS);
    const tickets = (await (await call(second, 'GET', '/api/v1/tickets')).json()) as { items: unknown[] };
    expect(tickets.items).toHaveLength(HUBS);
    const delivered = (await (await call(second, 'GET', '/api/v1/contacts?status=delivered')).json()) as { items: unknown[] };
    expect(delivered.items).toHaveLength(HUBS);
  }, 60_000);
});
