import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { ManualClock, readRecording, runBacktest, TickSchedule, loadRuleFiles, type BacktestLine, type RunningGateway } from '@forecare/gateway';
import { driveScenario, loadScenario, recordingLine, scenarioHubOptions, scenarioTimeZone, simCustomer, SimHub, type Scenario } from '@forecare/device-sim';
import type { AlarmEvent } from '@forecare/rules';
import { api, connectHub, startTestGateway, tempDir } from '../support/gateway.js';

const MINUTE = 60_000;
const TICK_MS = 60_000;

/**
 * One recording, judged both ways: by the backtest, and by a real gateway the same messages
 * are published to over MQTT at their recorded receive times (the clock injected, the rule
 * timers ticked on the schedule the backtest keeps). Every alarm event must be the same, in
 * the same order — a hub's backlog back-dated into its outage included — and so must the
 * fleet alerts and the contact decisions.
 */
describe('backtest judges exactly as live', () => {
  const base = loadScenario('adversarial');
  // A day of a sixteen-home slice of the adversarial fleet, with the troubles that land in it and an outage with a backlog.
  const scenario: Scenario = {
    ...base,
    name: 'adversarial-slice',
    hubs: 16,
    minutes: 1440,
    events: [
      ...base.events.filter((e) => e.atMinutes < 1300 && ('hubs' in e ? e.hubs.some((h) => h < 16) : e.hub < 16)),
      { atMinutes: 300, hub: 2, kind: 'hub-outage', minutes: 60 },
      { atMinutes: 500, hub: 3, kind: 'door-left-open', appliance: 'refrigerator', minutes: 20 },
      { atMinutes: 200, hub: 7, kind: 'compressor-degradation', appliance: 'refrigerator', perHour: 2.5 },
    ],
  };
  const dir = tempDir();
  const file = join(dir, 'slice.ndjson');
  const start = Date.UTC(2026, 2, 1);
  const customers = Array.from({ length: scenario.hubs }, (_, i) => {
    const hubId = `live-${String(i).padStart(2, '0')}`;
    return simCustomer(hubId, i, scenarioTimeZone(scenario, i), scenarioHubOptions(scenario, hubId, i, 7).appliances ?? [], scenario.models);
  });
  const rules = loadRuleFiles('');
  const backtest: BacktestLine[] = [];
  const live: AlarmEvent[] = [];
  let gw: RunningGateway;
  let messages = 0;

  beforeAll(async () => {
    // The recording, as forecare-sim record writes it.
    let now = start;
    const out = createWriteStream(file);
    const fleet = customers.map((c, i) => new SimHub({ url: 'mqtt://unused', hubId: c.hubs[0] as string, password: 'x', clock: { now: () => now, realDelay: () => 1 }, ...scenarioHubOptions(scenario, c.hubs[0] as string, i, 7), sink: (topic, payload) => out.write(recordingLine(topic, payload, now) + '\n') }));
    for (const h of fleet) await h.connect();
    await driveScenario(scenario, fleet, { start, seed: 7, setTime: (at) => (now = at) });
    out.end();
    await once(out, 'finish');
    const overrides = { 'hub-offline': { silentFor: 10 * MINUTE, graceFor: 5 * MINUTE } };
    await runBacktest({ rules, overrides, tickMs: TICK_MS, reopenWindowMs: 7 * 86_400_000, customers }, readRecording(file), (l) => backtest.push(l));
  }, 120_000);

  afterAll(async () => {
    await gw?.stop();
  });

  it('the same recording published to a real gateway raises, updates and clears the same alarms at the same times', async () => {
    const clock = new ManualClock(start);
    // Its own ticker never comes round in the test: the ticks are the backtest's schedule, run by hand.
    gw = await startTestGateway({ FORECARE_DATA_DIR: tempDir(), FORECARE_TICK_MS: '86400000', FORECARE_HUB_OFFLINE_AFTER: '10m', FORECARE_HUB_OFFLINE_GRACE: '5m' }, { clock });
    gw.ctx.bus.subscribe((_id, e) => {
      if (e.type === 'alarm' && 'ruleId' in e.data) live.push(e.data as unknown as AlarmEvent);
    });
    const http = api(gw);
    const hubs = new Map<string, MqttClient>();
    for (const c of customers) {
      const { appliances, hubs: own, ...customer } = c;
      expect((await http.call('POST', '/api/v1/customers', customer)).status).toBe(201);
      const hubId = own[0] as string;
      const { password } = (await http.call<{ password: string }>('POST', '/api/v1/hubs', { hubId, customerId: c.customerId })).body;
      for (const a of appliances) await http.call('POST', '/api/v1/appliances', { ...a, customerId: c.customerId });
      hubs.set(hubId, await connectHub(gw, hubId, password));
    }
    const ticks = new TickSchedule(TICK_MS);
    for await (const m of readRecording(file)) {
      if ('problem' in m) throw new Error(m.problem);
      const tick = ticks.before(m.at);
      if (tick !== undefined) {
        await gw.ctx.runner.settled();
        clock.set(Math.max(tick, clock.now()));
        await gw.ctx.runner.tick();
      }
      clock.set(m.at);
      await hubs.get(m.topic.split('/')[2] ?? '')?.publishAsync(m.topic, m.payload, { qos: 1 });
      messages++;
    }
    await gw.ctx.runner.settled();
    clock.set(Math.max(clock.now(), ...backtest.filter((l) => l.type === 'alarm').map((l) => l.at)));
    await gw.ctx.runner.tick();
    for (const c of hubs.values()) await c.endAsync(true);

    const alarms = backtest.filter((l): l is Extract<BacktestLine, { type: 'alarm' }> => l.type === 'alarm').map(({ type: _t, kind: _k, ...e }) => e);
    expect(messages).toBeGreaterThan(10_000);
    expect(alarms.length).toBeGreaterThan(30);
    // What the recording holds: back-dated backlogs, late snapshots, wills within the grace, all the kinds.
    expect([...new Set(alarms.map((e) => e.ruleId))].sort()).toEqual(expect.arrayContaining(['fault-code', 'fridge-door-open', 'fridge-too-warm', 'hub-offline', 'food-expiry', 'faults-repeat']));
    expect(JSON.parse(JSON.stringify(live))).toEqual(JSON.parse(JSON.stringify(alarms)));
  }, 240_000);

  it('and makes the same contact decisions and fleet alerts', () => {
    // A repair contact's task id follows its ticket's (a random id): decisions are compared by what they are about.
    const decisions = backtest.filter((l): l is Extract<BacktestLine, { type: 'contact' }> => l.type === 'contact').map((d) => `${d.purpose} ${d.customerId ?? '-'} ${d.alarmKey} ${d.send ? 'sent' : `suppressed: ${d.reason ?? ''}`}`);
    const outbox = gw.ctx.outbox.list({ limit: 100_000 }).map((t) => `${t.purpose} ${t.customerId ?? '-'} ${(JSON.parse(t.payload) as { reason: { alarmKey: string } }).reason.alarmKey} ${t.status === 'suppressed' ? `suppressed: ${t.lastError ?? ''}` : 'sent'}`);
    expect(decisions.length).toBeGreaterThan(10);
    expect(outbox.sort()).toEqual(decisions.sort());
    const alerts = (l: readonly { model: string; faultCode: string; affected: number }[]): string[] => l.map((a) => `${a.model} ${a.faultCode} ${a.affected}`);
    expect(alerts(gw.ctx.fleet.list())).toEqual(alerts(backtest.filter((l): l is Extract<BacktestLine, { type: 'fleet-alert' }> => l.type === 'fleet-alert')));
  });
});
