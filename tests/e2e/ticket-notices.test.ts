import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import type { RunningGateway } from '@forecare/gateway';
import { decodeDownlink, topics, type NoticePayload } from '@forecare/firmware-contracts';
import { ContactCenterStandIn } from '../support/contact-center.js';
import { api, connectHub, sleep, startTestGateway, tempDir, until, type Api } from '../support/gateway.js';

const SECRET = 'whsec_' + Buffer.from('forecare-notice-signing-key-32-b!!').toString('base64');
const HUB = 'hub-screen';
const OTHER = 'hub-next-door';
const FRIDGE = 'fridge-1';

/** A hub subscribed to its own notices; every notice checked against the contract as firmware would. */
async function subscribedHub(gw: RunningGateway, http: Api, hubId: string): Promise<{ hub: MqttClient; notices: NoticePayload[] }> {
  const { password } = (await http.call<{ password: string }>('POST', '/api/v1/hubs', { hubId })).body;
  const hub = await connectHub(gw, hubId, password);
  const notices: NoticePayload[] = [];
  hub.on('message', (topic, payload) => {
    const decoded = decodeDownlink(topic, payload);
    if (!decoded.ok) throw new Error(`notice off the contract: ${JSON.stringify(decoded.errors)}`);
    notices.push(decoded.message.payload);
  });
  await hub.subscribeAsync(topics.notices(hubId), { qos: 1 });
  return { hub, notices };
}

describe('ticket news reaches the hub of the ticket on its notices topic (issue 19, item 13)', () => {
  const cc = new ContactCenterStandIn({ secret: SECRET, outcomes: { booked: 1 } });
  let gw: RunningGateway;
  let http: Api;
  const hubs: MqttClient[] = [];

  beforeAll(async () => {
    await cc.start();
    gw = await startTestGateway({ FORECARE_DATA_DIR: tempDir(), FORECARE_CONTACT_CENTER_URL: cc.url, FORECARE_CONTACT_CENTER_SECRET: SECRET });
    cc.callbackUrl = `http://127.0.0.1:${gw.httpPort}/api/v1/contact-center/outcomes`;
    http = api(gw);
  });

  afterAll(async () => {
    for (const h of hubs) h.end(true);
    await gw?.stop();
    await cc.stop();
  });

  it('tells the hub: opened, scheduled with the visit the contact center booked, assigned, resolved, closed — once each', async () => {
    const screen = await subscribedHub(gw, http, HUB);
    const nextDoor = await subscribedHub(gw, http, OTHER);
    hubs.push(screen.hub, nextDoor.hub);
    expect((await http.call('POST', '/api/v1/customers', { customerId: 'cus-screen', name: 'Grace Hopper', phone: '+1 202 555 0101', address: '1 Navy Yard', region: 'dc' })).status).toBe(201);
    expect((await http.call('POST', '/api/v1/appliances', { applianceId: FRIDGE, hubId: HUB, customerId: 'cus-screen', type: 'refrigerator', model: 'RF-500' })).status).toBe(201);

    await screen.hub.publishAsync(topics.fault(HUB, FRIDGE), JSON.stringify({ ts: Date.now(), seq: 1, type: 'refrigerator', code: 'E-CMP-01', active: true }), { qos: 1 });
    // The contact center reaches the customer and books a visit: the ticket is scheduled.
    const scheduled = await until('the booked visit on the hub screen', () => screen.notices.find((n) => n.status === 'scheduled'));
    const opened = screen.notices[0] as NoticePayload;
    expect(opened).toMatchObject({ kind: 'ticket', status: 'open', applianceId: FRIDGE, title: expect.stringMatching(/ompressor/) as unknown });
    const ticketId = opened.ticketId as string;
    expect(scheduled).toMatchObject({ kind: 'ticket', ticketId, applianceId: FRIDGE });
    expect(scheduled.visitFrom).toBeGreaterThan(Date.now());
    expect(scheduled.visitTo).toBeGreaterThan(scheduled.visitFrom as number);

    // The same fault again attaches to the ticket: nothing new for the screen.
    await screen.hub.publishAsync(topics.fault(HUB, FRIDGE), JSON.stringify({ ts: Date.now(), seq: 2, type: 'refrigerator', code: 'E-CMP-02', active: true }), { qos: 1 });
    const moves: [string, Record<string, unknown>][] = [
      ['assigned', { assignee: 'tech-3' }],
      ['in_progress', {}],
      ['resolved', {}],
    ];
    for (const [to, patch] of moves) expect((await http.call('POST', `/api/v1/tickets/${ticketId}/transition`, { to, by: 'dispatcher-1', ...patch })).status).toBe(200);
    await until('the resolved notice', () => screen.notices.find((n) => n.status === 'resolved'));
    await sleep(300);
    expect(screen.notices.map((n) => n.status)).toEqual(['open', 'scheduled', 'assigned', 'in_progress', 'resolved']);
    expect(screen.notices.every((n) => n.ticketId === ticketId && n.kind === 'ticket')).toBe(true);
    // Another home's hub hears nothing of it.
    expect(nextDoor.notices).toEqual([]);
    // What the hub was last told is kept beside the ticket (so a restart or a replay does not tell it again).
    expect(gw.ctx.store.sqlite.prepare('SELECT told FROM ticket_notices WHERE ticket_id = ?').pluck().get(ticketId)).toBe('resolved');
  });

  it('tells the hub when a ticket is closed, and a hub-level ticket goes to its hub without an appliance', async () => {
    const opened = await http.call<{ ticketId: string }>('POST', '/api/v1/tickets', { hubId: OTHER, title: 'Hub keeps rebooting', faultClass: 'hub', by: 'dispatcher-1' });
    expect(opened.status).toBe(201);
    const nextDoor = await subscribedHub(gw, http, 'hub-3');
    hubs.push(nextDoor.hub);
    const screen = hubs[1] as MqttClient;
    const got: NoticePayload[] = [];
    screen.on('message', (topic, payload) => {
      const d = decodeDownlink(topic, payload);
      if (d.ok) got.push(d.message.payload);
    });
    expect((await http.call('POST', `/api/v1/tickets/${opened.body.ticketId}/transition`, { to: 'closed', note: 'duplicate of a call', by: 'dispatcher-1' })).status).toBe(200);
    await until('the closed notice', () => got.find((n) => n.status === 'closed'));
    expect(got.find((n) => n.status === 'closed')).toMatchObject({ ticketId: opened.body.ticketId });
    expect(got.find((n) => n.status === 'closed')?.applianceId).toBeUndefined();
    expect(nextDoor.notices).toEqual([]);
  });
});
