import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { ManualClock, RunningGateway } from '@forecare/gateway';
import { topics } from '@forecare/firmware-contracts';
import type { ContactCenterStandIn, ReceivedTask } from '../support/contact-center.js';
import { api, connectHub, startTestGateway, tempDir, until, type Api } from '../support/gateway.js';

/** A gateway with one hub, its customer, a fridge (RF-500) and a washer (WM-80), delivering to a contact-center stand-in. */
export interface Setup {
  gw: RunningGateway;
  http: Api;
  hub: MqttClient;
  seq: () => number;
}

export const SECRET = 'whsec_' + Buffer.from('forecare-service-test-key-0123456789').toString('base64');

export async function setup(cc: ContactCenterStandIn, hubId: string, customer: Record<string, unknown> = {}, extraEnv: Record<string, string> = {}, clock?: ManualClock): Promise<Setup> {
  const gw = await startTestGateway({ FORECARE_DATA_DIR: tempDir(), FORECARE_CONTACT_CENTER_URL: cc.url, FORECARE_CONTACT_CENTER_SECRET: SECRET, ...extraEnv }, clock !== undefined ? { clock } : {});
  const http = api(gw);
  const { password } = (await http.call<{ password: string }>('POST', '/api/v1/hubs', { hubId })).body;
  await http.call('POST', '/api/v1/customers', { customerId: `cus-${hubId}`, name: 'Grace Hopper', phone: `+1 555 ${hubId.length}${hubId.length}01`, address: '1 Navy Way', region: 'east', ...customer });
  for (const [id, type] of [[`${hubId}.fridge`, 'refrigerator'], [`${hubId}.washer`, 'washer']] as const) {
    await http.call('POST', '/api/v1/appliances', { applianceId: id, hubId, customerId: `cus-${hubId}`, type, model: type === 'refrigerator' ? 'RF-500' : 'WM-80' });
  }
  const hub = await connectHub(gw, hubId, password);
  let n = 0;
  return { gw, http, hub, seq: () => ++n };
}

export const fault = (s: Setup, hubId: string, code: string, appliance: 'fridge' | 'washer' = 'fridge', active = true): Promise<unknown> =>
  s.hub.publishAsync(topics.fault(hubId, `${hubId}.${appliance}`), JSON.stringify({ ts: Date.now(), seq: s.seq(), type: appliance === 'fridge' ? 'refrigerator' : 'washer', code, active }), { qos: 1 });

/** POSTs an outcome callback to the gateway, signed by the stand-in. */
export async function report(s: Setup, cc: ContactCenterStandIn, webhookId: string, outcome: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
  const body = JSON.stringify(outcome);
  const res = await fetch(`http://127.0.0.1:${s.gw.httpPort}/api/v1/contact-center/outcomes`, { method: 'POST', headers: cc.sign(webhookId, body), body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The contact task a fault makes, as the stand-in accepted it. */
export async function contactFor(s: Setup, cc: ContactCenterStandIn, hubId: string, code: string): Promise<ReceivedTask> {
  const before = cc.accepted.length;
  await fault(s, hubId, code);
  return until('the contact', () => cc.accepted[before]);
}

/**
 * Hooks for a suite of gateways delivering to one stand-in: the stand-in runs for the suite,
 * the gateways pushed on the returned list stop after each test, then `reset` runs.
 */
export function gatewaysAgainst(cc: ContactCenterStandIn, reset: () => void = () => undefined): Setup[] {
  const open: Setup[] = [];
  beforeAll(async () => {
    await cc.start();
  });
  afterEach(async () => {
    for (const s of open.splice(0)) {
      s.hub.end(true);
      await s.gw.stop();
    }
    reset();
  });
  afterAll(async () => {
    await cc.stop();
  });
  return open;
}
