import type { ApplianceType } from '@forecare/firmware-contracts';
import type { NetworkImperfections, SimAppliance, SimHub, SimOptions } from './hub.js';
import { Random } from './random.js';
import { applyDue, type Label, type Scenario } from './scenarios.js';

const MINUTE = 60_000;
const DAY_MINUTES = 1440;

/** Generic names, as a hub that numbers its appliances by kind gives them: the same in every home. */
const GENERIC: Record<ApplianceType, string> = {
  refrigerator: 'fridge-1',
  washer: 'washer-1',
  dryer: 'dryer-1',
  dishwasher: 'dishwasher-1',
  air_conditioner: 'ac-1',
  water_heater: 'water-heater-1',
  oven: 'oven-1',
};

/** Per hub, drawn from the scenario's seed: a hub's own habits (the same for the same seed). */
function habits(scenario: Scenario, index: number, seed: number): Random {
  return new Random(seed).fork(`${scenario.name}#${index}`);
}

/** Whether hub `index` names its appliances generically (`fridge-1` in every home). */
function genericIds(scenario: Scenario, index: number, seed: number): boolean {
  return habits(scenario, index, seed).fork('ids').chance(scenario.behaviour?.genericIds ?? 0);
}

/** The appliances hub `index` of a scenario has: its household's types, ids `${hubId}.${type}` or generic ones. */
export function scenarioAppliances(scenario: Scenario, hubId: string, index: number, seed = 0): SimAppliance[] | undefined {
  const households = scenario.households;
  if (households === undefined || households.length === 0) return undefined;
  const types: readonly ApplianceType[] = households[index % households.length] ?? [];
  const generic = genericIds(scenario, index, seed);
  return types.map((type) => ({ id: generic ? GENERIC[type] : `${hubId}.${type}`, type }));
}

/** The network imperfections of hub `index`: clocks spread over ±maxSkew, every batchEvery-th hub batching. */
export function scenarioNetwork(scenario: Scenario, index: number): NetworkImperfections | undefined {
  const n = scenario.network;
  if (n === undefined) return undefined;
  const skew = n.maxSkewMinutes ?? 0;
  const span = 2 * skew + 1;
  return {
    skewMs: ((index % span) - skew) * MINUTE,
    duplicateRate: n.duplicateRate ?? 0,
    reorderRate: n.reorderRate ?? 0,
    reconnectRate: n.reconnectRate ?? 0,
    batch: n.batchEvery !== undefined && index % n.batchEvery === 0 ? 2 : 1,
  };
}

/** The customer's time zone of hub `index` (UTC when the scenario names none). */
export function scenarioTimeZone(scenario: Scenario, index: number): string {
  const zones = scenario.behaviour?.timeZones ?? [];
  return zones.length === 0 ? 'UTC' : (zones[index % zones.length] as string);
}

/** The SimHub options a scenario fixes for hub `index` (appliances, network, firmware, household, step, seed). */
export function scenarioHubOptions(scenario: Scenario, hubId: string, index: number, seed: number): Pick<SimOptions, 'appliances' | 'network' | 'intervalMs' | 'heartbeatMs' | 'seed' | 'firmware' | 'household' | 'quietHousehold' | 'models'> & { seed: number } {
  const stepMs = (scenario.stepMinutes ?? 1) * MINUTE;
  const b = scenario.behaviour;
  const h = habits(scenario, index, seed);
  return {
    appliances: scenarioAppliances(scenario, hubId, index, seed),
    network: scenarioNetwork(scenario, index),
    intervalMs: stepMs,
    heartbeatMs: stepMs,
    seed: seed + index,
    firmware: h.fork('firmware').chance(b?.oldFirmware ?? 0) ? 'old' : 'new',
    household: b?.household === true,
    quietHousehold: h.fork('quiet').chance(b?.quietHouseholds ?? 0),
    models: scenario.models,
  };
}

/**
 * The confounders of hub `index` — what its household does that must raise nothing — as
 * timed actions on its hub: vacations, super-freeze, quick Wi-Fi drops, hub and appliance
 * reboots. Drawn from the seed: the same run twice does the same things.
 */
export function planConfounders(scenario: Scenario, hub: SimHub, index: number, start: number, seed: number): void {
  const b = scenario.behaviour;
  if (b === undefined) return;
  const h = habits(scenario, index, seed).fork('confounders');
  const days = scenario.minutes / DAY_MINUTES;
  const at = (): number => start + Math.floor(h.between(60, scenario.minutes - 60)) * MINUTE;
  const fridge = hub.appliances.find((a) => a.type === 'refrigerator');
  if (fridge !== undefined && h.chance(b.vacation ?? 0)) {
    const hours = h.between(24, 48);
    hub.schedule(at(), () => hub.setFridgeMode(fridge.id, 'vacation', hours));
  }
  if (fridge !== undefined && h.chance(b.superFreeze ?? 0)) {
    const hours = h.between(6, 24);
    hub.schedule(at(), () => hub.setFridgeMode(fridge.id, 'super_freeze', hours));
  }
  const times = (perDay: number | undefined): number => Math.floor(perDay === undefined ? 0 : perDay * days + h.next());
  for (let i = times(b.wifiDropsPerDay); i > 0; i--) {
    const ms = h.between(100, 240) * 1000;
    hub.schedule(at() + Math.floor(h.between(0, 60)) * 1000, () => hub.dropOff(ms));
  }
  for (let i = times(b.hubRebootsPerDay); i > 0; i--) {
    const ms = h.between(20, 60) * 1000;
    hub.schedule(at() + Math.floor(h.between(0, 60)) * 1000, () => hub.dropOff(ms, { reboot: true }));
  }
  for (let i = times(b.applianceRebootsPerDay); i > 0; i--) {
    const a = h.pick(hub.appliances);
    hub.schedule(at(), () => hub.rebootAppliance(a.id));
  }
}

export interface ScenarioDrive {
  /** Simulated time of minute 0. */
  readonly start: number;
  /** Moves the shared clock (the simulator's, and the gateway's when one runs). */
  setTime(at: number): void;
  /** After each step: the gateway's timers, progress. */
  afterStep?(minute: number): void | Promise<void>;
  /** After a timed action between steps (a hub back from a drop). */
  afterWake?(hub: SimHub): void | Promise<void>;
  /** The seed the hubs' habits (confounders) are drawn from; they are planned when the scenario has a behaviour. */
  readonly seed?: number;
}

/**
 * Steps the fleet through the scenario in accelerated time, applying its events; returns the
 * labels. Between steps, timed actions (a reconnect 2 minutes after a drop) run at their own
 * time, in time order.
 */
export async function driveScenario(scenario: Scenario, fleet: readonly SimHub[], drive: ScenarioDrive): Promise<Label[]> {
  const step = scenario.stepMinutes ?? 1;
  const labels: Label[] = [];
  fleet.forEach((hub, i) => planConfounders(scenario, hub, i, drive.start, drive.seed ?? 0));
  for (let minute = 0; minute <= scenario.minutes; minute += step) {
    const now = drive.start + minute * MINUTE;
    await wakeUntil(fleet, now - step * MINUTE, now, drive);
    drive.setTime(now);
    labels.push(...(await applyDue(scenario, fleet, minute, now)));
    await Promise.all(fleet.map((h) => h.tick()));
    await drive.afterStep?.(minute);
  }
  return labels;
}

/** Runs every timed action due before `until`, earliest first, each at its time (never before `from`: time only moves on). */
async function wakeUntil(fleet: readonly SimHub[], from: number, until: number, drive: ScenarioDrive): Promise<void> {
  for (;;) {
    let next: SimHub | undefined;
    for (const h of fleet) {
      const at = h.nextWake();
      if (at !== undefined && at < until && (next === undefined || at < (next.nextWake() as number))) next = h;
    }
    if (next === undefined) return;
    drive.setTime(Math.max(from, next.nextWake() as number));
    await next.wake();
    await drive.afterWake?.(next);
  }
}
