/**
 * A scored run in accelerated time: a scenario's fleet of simulated hubs against a real
 * gateway (a real broker port, real SQLite, the shipped rules), the simulator's clock and the
 * gateway's one injected clock moved a step (or a timed action) at a time. Each household has
 * a customer in its own time zone. Returns what the gateway raised, scored against the
 * scenario's ground truth, the food it told each household, and its fleet alerts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { MqttClient } from 'mqtt';
import { ManualClock, type RunningGateway } from '@forecare/gateway';
import { driveScenario, fetchScoredAlarms, score, scenarioHubOptions, scenarioTimeZone, scoreTable, SimHub, simCustomer, type Label, type Scenario, type Score, type ScoredAlarm } from '@forecare/device-sim';
import { checkFood, expectedFood, type FoodCheck } from './food-truth.js';
import { ADMIN_TOKEN, api, connectHub, startTestGateway, tempDir, type Api } from './gateway.js';

const REPORTS = fileURLToPath(new URL('../../device-sim/reports/', import.meta.url));
const MINUTE = 60_000;
const DAY = 86_400_000;

export interface ScoredRun {
  readonly labels: Label[];
  readonly result: Score;
  /** Every alarm raised (food digests aside), for the report. */
  readonly alarms: ScoredAlarm[];
  readonly food: FoodCheck;
  readonly fleetAlerts: { model: string; faultCode: string; affected: number }[];
  readonly fleet: SimHub[];
  readonly appliances: number;
  readonly messages: number;
  readonly start: number;
}

export interface RunningScenario {
  readonly gw: RunningGateway;
  readonly http: Api;
  run(): Promise<ScoredRun>;
  stop(): Promise<void>;
}

/** Starts the gateway and the fleet (hubs provisioned through the API, each with its customer). */
export async function startScoredRun(scenario: Scenario, prefix: string, seed: number): Promise<RunningScenario> {
  const stepMs = (scenario.stepMinutes ?? 1) * MINUTE;
  // Ending at the last UTC midnight: the same times of day (weather, digest hours in each time zone) every run, so a re-run writes the same report.
  const start = Math.floor(Date.now() / DAY) * DAY - scenario.minutes * MINUTE;
  const clock = new ManualClock(start);
  // The ticker is driven by the test (one tick a step); its own interval never comes round.
  const gw = await startTestGateway({ FORECARE_DATA_DIR: tempDir(), FORECARE_TICK_MS: String(stepMs) }, { clock });
  const http = api(gw);
  const fleet: SimHub[] = [];
  const provision = async (i: number): Promise<SimHub> => {
    const hubId = `${prefix}-${String(i).padStart(3, '0')}`;
    const options = scenarioHubOptions(scenario, hubId, i, seed);
    const { appliances, hubs: _hubs, ...customer } = simCustomer(hubId, i, scenarioTimeZone(scenario, i), options.appliances ?? [], scenario.models);
    expect201(await http.call('POST', '/api/v1/customers', customer));
    const { password } = (await http.call<{ password: string }>('POST', '/api/v1/hubs', { hubId, customerId: customer.customerId })).body;
    for (const a of appliances) {
      const res = await http.call('POST', '/api/v1/appliances', { ...a, customerId: customer.customerId, model: a.model ?? `SIM-${a.type}` });
      // An id another home registered first is refused (ids repeat across homes); it is added when heard.
      if (res.status !== 201 && res.status !== 409) throw new Error(`POST /api/v1/appliances ${res.status} ${JSON.stringify(res.body)}`);
    }
    const hub = new SimHub({ url: `mqtt://127.0.0.1:${gw.mqttPort}`, hubId, password, clock: { now: () => clock.now(), realDelay: () => 1 }, ...options });
    await hub.connect();
    return hub;
  };
  for (let i = 0; i < scenario.hubs; i += 10) fleet.push(...(await Promise.all(Array.from({ length: Math.min(10, scenario.hubs - i) }, (_, k) => provision(i + k)))));
  // A hub that drops off sends its last will through the broker, asynchronously: each is awaited before time moves on.
  const watch = (await http.call<{ password: string }>('POST', '/api/v1/mqtt-clients', { name: `${prefix}-wills`, role: 'service' })).body.password;
  const watcher: MqttClient = await connectHub(gw, `service:${prefix}-wills`, watch);
  let wills = 0;
  let waiting: { count: number; resolve: () => void }[] = [];
  watcher.on('message', (_t, payload) => {
    if ((JSON.parse(payload.toString()) as { state?: string }).state !== 'offline') return;
    wills++;
    waiting = waiting.filter((w) => (w.count <= wills ? (w.resolve(), false) : true));
  });
  await watcher.subscribeAsync('forecare/v1/+/status', { qos: 1 });
  const willsIn = async (): Promise<void> => {
    const dropped = fleet.reduce((n, h) => n + h.drops, 0);
    if (wills < dropped) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => waiting.push({ count: dropped, resolve })),
        new Promise<void>((_, reject) => (timer = setTimeout(() => reject(new Error(`${dropped - wills} last will(s) of dropped hubs never came`)), 10_000))),
      ]).finally(() => clearTimeout(timer));
    }
    await gw.ctx.runner.settled();
  };

  return {
    gw,
    http,
    async run(): Promise<ScoredRun> {
      const labels = await driveScenario(scenario, fleet, {
        start,
        seed,
        setTime: (at) => clock.set(at),
        afterWake: willsIn,
        afterStep: async () => {
          await willsIn();
          await gw.ctx.runner.tick();
        },
      });
      await willsIn();
      await gw.ctx.runner.tick();
      const end = clock.now();
      const all = await fetchScoredAlarms(`http://127.0.0.1:${gw.httpPort}`, ADMIN_TOKEN);
      // Food digests are judged as contacts (below), not as troubles.
      const result = score(labels, all.filter((a) => a.ruleId !== 'food-expiry'));
      const tasks = gw.ctx.outbox.list({ limit: 1_000_000 }).filter((t) => t.purpose === 'food' && t.status !== 'suppressed');
      const told = tasks.map((t) => ({ hubId: t.hubId, items: ((JSON.parse(t.payload) as { items?: { itemId: string }[] }).items ?? []).map((i) => i.itemId) }));
      const expected = expectedFood(
        fleet.map((h, i) => ({ hubId: h.hubId, timeZone: scenarioTimeZone(scenario, i), sent: h.sent })),
        start,
        end,
      );
      const fleetAlerts = (await http.call<{ items: { model: string; faultCode: string; affected: number }[] }>('GET', '/api/v1/fleet/alerts')).body.items;
      return {
        labels,
        result,
        alarms: all.filter((a) => a.ruleId !== 'food-expiry'),
        food: checkFood(expected, told),
        fleetAlerts,
        fleet,
        appliances: fleet.reduce((n, h) => n + h.appliances.length, 0),
        messages: fleet.reduce((n, h) => n + h.sent.length, 0),
        start,
      };
    },
    async stop(): Promise<void> {
      await watcher.endAsync(true);
      await Promise.all(fleet.map((h) => h.stop()));
      await gw.stop();
    },
  };
}

function expect201(res: { status: number; body: unknown }): void {
  if (res.status !== 201) throw new Error(`expected 201, got ${res.status} ${JSON.stringify(res.body)}`);
}

/** Writes the run's report beside the scenario (times from the run's start: the same behaviour writes the same report). */
export function writeReport(scenario: Scenario, run: ScoredRun): void {
  const { result, start } = run;
  const detections = result.detections.map(({ label, byRule }) => ({ ...label, start: undefined, end: undefined, startMinute: (label.start - start) / MINUTE, minutesToDetect: Object.fromEntries(Object.entries(byRule).map(([rule, ms]) => [rule, ms / MINUTE])) }));
  const missed = result.missed.map((l) => ({ ...l, start: undefined, end: undefined, startMinute: (l.start - start) / MINUTE }));
  const raisedAgain = run.alarms.filter((a) => a.raisedCount > 1).map((a) => ({ alarmKey: a.alarmKey, raisedCount: a.raisedCount }));
  const report = { scenario: scenario.name, hubs: scenario.hubs, appliances: run.appliances, simulatedMinutes: scenario.minutes, stepMinutes: scenario.stepMinutes ?? 1, messages: run.messages, labels: run.labels.length, ...result, missed, detections, raisedAgain, food: run.food, fleetAlerts: run.fleetAlerts.map(({ model, faultCode, affected }) => ({ model, faultCode, affected })) };
  mkdirSync(REPORTS, { recursive: true });
  writeFileSync(`${REPORTS}${scenario.name}.json`, JSON.stringify(report, null, 2) + '\n');
  const food = `food: ${run.food.toldOnce}/${run.food.expected} expiring items told exactly once, ${run.food.missing.length} never, ${run.food.repeated.length} more than once, ${run.food.unexpected.length} told that were not due`;
  writeFileSync(`${REPORTS}${scenario.name}.txt`, `${scenario.name}: ${scenario.hubs} hubs, ${run.appliances} appliances, ${scenario.minutes / 60} simulated hours in ${scenario.stepMinutes ?? 1}-minute steps, ${run.messages} messages, ${run.labels.length} labels\n${scoreTable(result)}\n${food}\n`);
}
