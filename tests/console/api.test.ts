import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gunzipSync } from 'node:zlib';
import type { RunningGateway } from '@forecare/gateway';
import { api, startTestGateway, tempDir, type Api } from '../support/gateway.js';
import { PASSWORD, seedFleet, type Seeded } from './seed.js';

interface Row { ticketId: string; urgent: boolean; breached: boolean; severity: string; customerName: string | null; model: string | null; region: string; assignee: string | null; status: string }
interface Page { items: Row[]; total: number; urgentTotal: number }

describe('the console API at fleet scale', () => {
  let gw: RunningGateway;
  let http: Api;
  let seed: Seeded;
  const tokens: Record<string, string> = {};
  const as = (user: string) => ({ call: <T = Record<string, unknown>>(m: string, p: string, b?: unknown) => http.call<T>(m, p, b, tokens[user]) });

  beforeAll(async () => {
    gw = await startTestGateway({ FORECARE_DATA_DIR: tempDir() });
    http = api(gw);
    seed = await seedFleet(gw);
    for (const u of ['dana', 'erik', 'mia', 'ada']) tokens[u] = (await http.call<{ token: string }>('POST', '/api/v1/session', { username: u, password: PASSWORD(u) }, null)).body.token;
  }, 60_000);
  afterAll(async () => gw?.stop());

  it('keeps the safety and the breached ticket on the first page under 520 newer tickets, with a total', async () => {
    const page = (await as('dana').call<Page>('GET', '/api/v1/tickets/queue?limit=50')).body;
    expect(page.total).toBe(522);
    expect(page.urgentTotal).toBe(2);
    expect(page.items.slice(0, 2).map((r) => r.ticketId).sort()).toEqual([seed.safetyId, seed.breachedId].sort());
    // Sorted by newest, urgent tickets still lead.
    const newest = (await as('dana').call<Page>('GET', '/api/v1/tickets/queue?sort=opened&limit=10')).body;
    expect(newest.items.filter((r) => r.urgent)).toHaveLength(2);
    const breached = (await as('dana').call<Page>('GET', '/api/v1/tickets/queue?breached=true')).body;
    expect(breached.items.map((r) => r.ticketId)).toContain(seed.breachedId);
    const safety = (await as('dana').call<Page>('GET', '/api/v1/tickets/queue?safety=true')).body;
    expect(safety.items.map((r) => r.ticketId)).toEqual([seed.safetyId]);
    const last = (await as('dana').call<Page>('GET', '/api/v1/tickets/queue?limit=50&offset=500')).body;
    expect(last.items).toHaveLength(22);
    // Rows by id, for live deltas: the ones asked for, and which do not exist.
    const rows = (await as('dana').call<{ items: Row[]; missing: string[] }>('GET', `/api/v1/tickets/queue/rows?ids=${seed.safetyId},T-NOPE`)).body;
    expect(rows.items.map((r) => r.ticketId)).toEqual([seed.safetyId]);
    expect(rows.missing).toEqual(['T-NOPE']);
    expect((await as('dana').call('GET', `/api/v1/tickets/queue/rows?ids=${Array.from({ length: 101 }, (_, i) => `T-${i}`).join(',')}`)).status).toBe(400);
  });

  it('filters by a case-insensitive substring of title, model, region and customer, and refuses bad queries as problems', async () => {
    const q = async (text: string): Promise<string[]> => (await as('dana').call<Page>('GET', `/api/v1/tickets/queue?q=${encodeURIComponent(text)}`)).body.items.map((r) => r.ticketId);
    expect(await q('WATER LEAK')).toEqual([seed.safetyId]);
    expect(await q('rf-5')).toEqual([seed.breachedId]);
    // The washer is registered without a customer, but its hub belongs to Wang Fang: both tickets are hers.
    expect((await q('east')).sort()).toEqual([seed.safetyId, seed.breachedId].sort());
    expect((await q('wang')).sort()).toEqual([seed.safetyId, seed.breachedId].sort());
    expect((await q('routine check 51')).length).toBe(11);
    const bad = await as('dana').call('GET', '/api/v1/tickets/queue?status=nope');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect((await as('dana').call('GET', '/api/v1/tickets/queue?limit=5000')).status).toBe(400);
  });

  it('assigns in bulk and to me, shows current customer and appliance data, offers actions by state and refuses the rest', async () => {
    const bulk = await as('dana').call<{ assigned: string[]; refused: unknown[] }>('POST', '/api/v1/tickets/assign', { ticketIds: [seed.safetyId, seed.oldestNewId], assignee: 'tech-7' });
    expect(bulk.body.assigned).toHaveLength(2);
    const me = await as('dana').call<{ assignee: string }>('POST', '/api/v1/tickets/assign', { ticketIds: [seed.breachedId] });
    expect(me.body.assignee).toBe('dana');
    expect((await as('dana').call<Page>('GET', '/api/v1/tickets/queue?mine=true')).body.items.map((r) => r.ticketId)).toEqual([seed.breachedId]);
    expect((await as('erik').call('POST', '/api/v1/tickets/assign', { ticketIds: [seed.breachedId] })).status).toBe(403);

    // The washer had no customer and no model when the ticket opened: link them now, the ticket shows them.
    const id = encodeURIComponent(seed.safetyId);
    expect((await as('dana').call('PUT', `/api/v1/tickets/${id}/customer`, { customerId: 'cus-wang' })).status).toBe(200);
    expect((await as('dana').call('PUT', `/api/v1/tickets/${id}/appliance`, { model: 'WM-9', serial: 'SN-123' })).status).toBe(200);
    await as('ada').call('PATCH', '/api/v1/customers/cus-wang', { phone: '+86 21 5555 0199' });
    const t = (await as('dana').call<{ details: { customer: { name: string; phone: string }; appliance: { model: string; serial: string } }; actions: string[] }>('GET', `/api/v1/tickets/${id}`)).body;
    expect(t.details.customer).toMatchObject({ name: 'Wang Fang', phone: '+86 21 5555 0199' });
    expect(t.details.appliance).toMatchObject({ model: 'WM-9', serial: 'SN-123' });
    expect(t.actions).toEqual(['assign', 'schedule', 'start', 'resolve', 'cancel']);
    expect((await as('erik').call<{ actions: string[] }>('GET', `/api/v1/tickets/${id}`)).body.actions).toEqual([]);

    // A visit on a day already past in Shanghai is refused; tomorrow there is fine.
    const past = await as('dana').call('POST', `/api/v1/tickets/${id}/actions/schedule`, { visit: { date: '2020-01-01', from: '09:00', to: '11:00' } });
    expect(past.status).toBe(400);
    const tomorrow = new Date(gw.ctx.clock.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    expect((await as('dana').call('POST', `/api/v1/tickets/${id}/actions/schedule`, { visit: { date: tomorrow, from: '09:00', to: '11:00' } })).status).toBe(200);
    expect((await as('dana').call('POST', `/api/v1/tickets/${id}/transition`, { to: 'scheduled', slotStart: Date.parse('2020-01-01T09:00:00Z') })).status).toBe(400);
    expect((await as('dana').call('POST', `/api/v1/tickets/${id}/actions/start`, {})).status).toBe(200);
    expect((await as('dana').call('POST', `/api/v1/tickets/${id}/actions/resolve`, {})).status).toBe(400);
    const resolved = await as('dana').call<{ status: string }>('POST', `/api/v1/tickets/${id}/actions/resolve`, { resolutionCode: 'part-replaced', note: 'new inlet valve' });
    expect(resolved.body.status).toBe('resolved');
    const again = await as('dana').call('POST', `/api/v1/tickets/${id}/actions/resolve`, { resolutionCode: 'repaired' });
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toContain('application/problem+json');
    expect((await as('dana').call('POST', `/api/v1/tickets/${id}/actions/cancel`, { note: 'x' })).status).toBe(409);
    expect((await as('dana').call<{ actions: string[] }>('GET', `/api/v1/tickets/${id}`)).body.actions).toEqual(['reopen']);
    expect((await as('dana').call<{ status: string }>('POST', `/api/v1/tickets/${id}/actions/reopen`, { note: 'still leaking' })).body.status).toBe('open');
  });

  it('gives managers SLA figures, admins users, everyone the appliance page their role allows', async () => {
    const sla = await as('mia').call<{ total: { tickets: number; repeatRepairPct: number | null }; groups: { group: string }[]; trend: unknown[] }>('GET', '/api/v1/sla?by=region');
    expect(sla.status).toBe(200);
    expect(sla.body.total.tickets).toBe(522);
    expect(sla.body.total.repeatRepairPct).toBe(100);
    expect(sla.body.groups.map((g) => g.group)).toContain('East');
    expect((await as('dana').call('GET', '/api/v1/sla')).status).toBe(403);
    expect((await as('mia').call('GET', '/api/v1/sla?from=10&to=5')).status).toBe(400);

    expect((await as('ada').call('PATCH', '/api/v1/users/erik', { role: 'manager' })).body).toMatchObject({ role: 'manager' });
    expect((await as('ada').call('PATCH', '/api/v1/users/ada', { role: 'dispatcher' })).status).toBe(400);
    expect((await as('ada').call('PATCH', '/api/v1/users/nobody', { role: 'dispatcher' })).status).toBe(404);
    expect((await as('dana').call('PATCH', '/api/v1/users/erik', { role: 'admin' })).status).toBe(403);
    await as('ada').call('PATCH', '/api/v1/users/erik', { role: 'engineer' });

    const page = await as('erik').call<{ units: Record<string, string>; customer: { name: string }; tickets: unknown[] }>('GET', '/api/v1/hubs/hub-ui/appliances/fridge-1');
    expect(page.status).toBe(200);
    expect(page.body.units.fridge_temp_c).toBe('°C');
    expect(page.body.customer.name).toBe('Wang Fang');
    expect(page.body.tickets).toHaveLength(1);
    expect((await as('erik').call('GET', '/api/v1/hubs/hub-ui/appliances/nope')).status).toBe(404);
  });

  it('serves the console compressed, cached by hash, framed by nobody, without source maps', async () => {
    const base = `http://127.0.0.1:${gw.httpPort}`;
    const index = await fetch(`${base}/`, { headers: { 'accept-encoding': 'gzip' } });
    const html = await index.text();
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(index.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(index.headers.get('x-frame-options')).toBe('DENY');
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const js = await fetch(`${base}${script}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(js.headers.get('content-encoding')).toBe('gzip');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const br = await fetch(`${base}${script}`, { headers: { 'accept-encoding': 'br' } });
    expect(br.headers.get('content-encoding')).toBe('br');
    expect((await fetch(`${base}${script}.map`)).status).toBe(404);
    expect((await fetch(`${base}/favicon.svg`)).status).toBe(200);
    // JSON is compressed too: the queue page of 50 rows.
    const { request } = await import('node:http');
    const body = await new Promise<Buffer>((resolve, reject) => {
      request(`${base}/api/v1/tickets/queue?limit=50`, { headers: { authorization: `Bearer ${tokens.dana}`, 'accept-encoding': 'gzip' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks))).on('error', reject);
      }).on('error', reject).end();
    });
    expect((JSON.parse(gunzipSync(body).toString()) as Page).items).toHaveLength(50);
  });
});
