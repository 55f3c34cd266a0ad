import { afterAll, describe, expect, it } from 'vitest';
import { Random, SimHub } from '@forecare/device-sim';
import { ContactCenterStandIn } from '../support/contact-center.js';
import { ADMIN_TOKEN, sleep, tempDir, until } from '../support/gateway.js';
import { InfluxStandIn } from '../support/influx-standin.js';
import { kill, spawnGateway, type GatewayProcess } from '../support/process.js';
import { FieldHub, journalKey, readJournal } from './fleet-driver.js';

/**
 * The field: a fleet of simulated hubs (device-sim) against a real gateway process, for
 * about 40 s of load while everything real fleets do happens at random points — hubs reboot
 * and start their counters again, clocks are minutes off, the gateway is stopped with
 * SIGTERM and killed with SIGKILL under load, the history store and the contact center
 * flap. Then the three promises: every fault one alarm, one ticket, one contact; no
 * acknowledged message lost; no false ticket. FORECARE_FIELD_SEED replays a run.
 */
const SEED = Number(process.env.FORECARE_FIELD_SEED ?? Date.now() % 1_000_000);
const HUBS = 12;
const TICK_MS = 200;
const DRIVE_MS = 34_000;
const SECRET = 'whsec_' + Buffer.from('forecare-field-signing-key-32-b!!').toString('base64');
const FAULTS = [
  { appliance: 'fridge', code: 'E-FAN-01' },
  { appliance: 'washer', code: 'E-DRN-01' },
] as const;

interface Injected {
  readonly hubId: string;
  readonly applianceId: string;
  readonly code: string;
  /** Reported right after the hub rebooted: its seq is one the gateway has seen before. */
  readonly afterReboot: boolean;
}

describe(`the field: a fleet through reboots, restarts, kills and flapping peers (seed ${SEED})`, () => {
  const rnd = new Random(SEED);
  const dataDir = tempDir('forecare-field-');
  const cc = new ContactCenterStandIn({ secret: SECRET, failureRate: 0.2, seed: SEED });
  const influx = new InfluxStandIn();
  const gateways: GatewayProcess[] = [];
  const hubs: FieldHub[] = [];
  let gw: GatewayProcess;
  const env = (): Record<string, string> => ({
    FORECARE_CONTACT_CENTER_URL: cc.url,
    FORECARE_CONTACT_CENTER_SECRET: SECRET,
    FORECARE_INFLUX_URL: influx.url,
    FORECARE_INFLUX_TOKEN: 't',
    FORECARE_TICK_MS: '100',
    FORECARE_OUTBOX_BASE_DELAY_MS: '100',
  });
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`http://127.0.0.1:${gw.httpPort}${path}`, { method, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const restart = async (signal: 'SIGTERM' | 'SIGKILL'): Promise<void> => {
    await kill(gw, signal);
    gw = await spawnGateway(dataDir, env());
    gateways.push(gw);
  };

  afterAll(async () => {
    for (const h of hubs) await h.stop();
    for (const g of gateways) await kill(g, 'SIGKILL');
    await cc.stop();
    await influx.stop();
  });

  it('keeps its three promises', async () => {
    await cc.start();
    await influx.start();
    gw = await spawnGateway(dataDir, env());
    gateways.push(gw);

    const injected: Injected[] = [];
    const reported: Promise<void>[] = [];
    for (let i = 0; i < HUBS; i++) {
      const hubId = `field-${String(i + 1).padStart(2, '0')}`;
      const { password } = await call<{ password: string }>('POST', '/api/v1/hubs', { hubId });
      await call('POST', '/api/v1/customers', { customerId: `cus-${hubId}`, name: `Home ${i + 1}`, phone: `+44 20 7946 ${String(1000 + i)}`, address: `${i + 1} Field Road`, region: 'field', quietStart: null, quietEnd: null });
      // Clocks minutes off, either way; some hubs redeliver and reorder as flaky links do.
      const skewMs = Math.round((rnd.next() * 2 - 1) * 5 * 60_000);
      const sim = new SimHub({ url: `mqtt://127.0.0.1:${gw.mqttPort}`, hubId, password, seed: SEED + i, intervalMs: TICK_MS, heartbeatMs: 2000, network: { skewMs, duplicateRate: 0.05, reorderRate: 0.05 } });
      for (const a of sim.appliances) await call('POST', '/api/v1/appliances', { applianceId: a.id, hubId, customerId: `cus-${hubId}`, type: a.type, model: `SIM-${a.type}` });
      const hub = new FieldHub(sim, TICK_MS, () => `mqtt://127.0.0.1:${gw.mqttPort}`);
      hubs.push(hub);
      await sim.connect();
      hub.start();

      // Two of three hubs have a fault; half the hubs reboot once (after enough messages for a counter reset to reuse seen seqs).
      const kind = rnd.next() < 2 / 3 ? FAULTS[Math.floor(rnd.next() * FAULTS.length)] : undefined;
      const fault = kind === undefined ? undefined : { code: kind.code, applianceId: sim.appliances.find((a) => a.id.endsWith(`.${kind.appliance}`))?.id ?? '' };
      const reboots = rnd.next() < 0.5;
      const rebootAt = 9000 + rnd.next() * 15_000;
      const faultAfterReboot = fault !== undefined && reboots && rnd.next() < 0.6;
      if (reboots) {
        setTimeout(() => {
          hub.schedule(() => sim.reboot(true));
          if (faultAfterReboot && fault !== undefined) reported.push(hub.reportFault(fault.applianceId, fault.code));
        }, rebootAt);
      }
      if (fault !== undefined) {
        injected.push({ hubId, applianceId: fault.applianceId, code: fault.code, afterReboot: faultAfterReboot });
        if (!faultAfterReboot) setTimeout(() => reported.push(hub.reportFault(fault.applianceId, fault.code)), 1000 + rnd.next() * 28_000);
      }
    }

    // The history store flaps for the whole drive; the gateway is stopped, then killed, under load.
    const modes = ['up', 'unavailable', 'up', 'reset', 'up', 'answer-lost'] as const;
    let flaps = 0;
    const flapper = setInterval(() => (influx.mode = modes[flaps++ % modes.length] ?? 'up'), 1500);
    await sleep(11_000);
    await restart('SIGTERM');
    await sleep(10_000);
    await restart('SIGKILL');
    await sleep(DRIVE_MS - 21_000);
    clearInterval(flapper);
    influx.mode = 'up';
    let acknowledged = 0;
    const counted = new Set<Promise<void>>();
    await until('every fault report acknowledged', () => {
      for (const p of reported) {
        if (counted.has(p)) continue;
        counted.add(p);
        void p.then(() => acknowledged++);
      }
      return reported.length === injected.length && acknowledged === injected.length ? true : undefined;
    }, 20_000).catch((err: unknown) => {
      throw new Error(`${String(err)}: ${JSON.stringify(hubs.map((h) => ({ hub: h.sim.hubId, connected: h.sim.connected, acked: h.sim.acked.length, faults: h.sim.acked.filter((m) => m.topic.endsWith('/fault')).length })))} ${gw.output().slice(-3000)}`);
    });
    for (const h of hubs) await h.stop();

    // Every fault: one alarm, one ticket, one contact.
    interface TicketJson { ticketId: string; hubId: string; applianceId: string | null; faultCode: string | null; status: string }
    const tickets = await until('a ticket for every fault', async () => {
      const t = (await call<{ items: TicketJson[] }>('GET', '/api/v1/tickets?limit=1000')).items;
      return t.length >= injected.length ? t : undefined;
    }, 20_000);
    const contacts = await until('a contact for every ticket', () => {
      const ok = cc.received.filter((r) => r.verified && r.status < 300);
      const tasks = new Map(ok.map((r) => [r.json.data.taskId, r.json.data.ticketId as string | null]));
      return tickets.every((t) => [...tasks.values()].includes(t.ticketId)) ? tasks : undefined;
    }, 20_000);
    const alarms = (await call<{ items: { ruleId: string; hubId: string; applianceId: string | null; key: string }[] }>('GET', '/api/v1/alarms?all=true&limit=5000')).items;
    const context = JSON.stringify({ seed: SEED, injected });
    for (const f of injected) {
      expect(alarms.filter((a) => a.ruleId === 'fault-code' && a.hubId === f.hubId && a.applianceId === f.applianceId && a.key === f.code), context).toHaveLength(1);
      const mine = tickets.filter((t) => t.hubId === f.hubId && t.applianceId === f.applianceId);
      expect(mine, context).toHaveLength(1);
      expect(mine[0]?.faultCode).toBe(f.code);
      expect([...contacts.values()].filter((ticketId) => ticketId === mine[0]?.ticketId), context).toHaveLength(1);
    }
    // No false ticket: none beyond the faults (no hub "offline" for a restart, a kill or a reboot), no contact beyond them.
    expect(tickets, context).toHaveLength(injected.length);
    expect(contacts.size, context).toBe(injected.length);
    expect(alarms.filter((a) => a.ruleId === 'hub-offline'), context).toEqual([]);

    // No acknowledged message lost: every PUBACKed message of every hub is in the journal.
    await until('the history store to catch up', async () => {
      const text = await (await fetch(`http://127.0.0.1:${gw.httpPort}/metrics`)).text();
      return /^forecare_influx_lag_messages 0$/m.test(text) ? true : undefined;
    }, 30_000);
    await kill(gw, 'SIGTERM');
    const journal = readJournal(dataDir);
    let acked = 0;
    const lost: string[] = [];
    for (const h of hubs) {
      for (const m of h.sim.acked) {
        acked++;
        const key = journalKey(h.sim.hubId, m);
        if (!journal.has(key)) lost.push(key);
      }
    }
    expect(acked).toBeGreaterThan(HUBS * 100);
    expect(lost, `${lost.length} of ${acked} acknowledged messages missing (seed ${SEED})`).toEqual([]);
    // Every telemetry point the journal holds reached the flapping history store.
    const telemetry = [...journal].filter((k) => k.split('|')[2] === 'telemetry').length;
    const points = [...influx.points.values()].filter((p) => p.series.startsWith('appliance_telemetry,')).length;
    expect(points, `seed ${SEED}`).toBe(telemetry);
  }, 120_000);
});
