import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ApplianceType } from '@forecare/firmware-contracts';
import type { SimHub } from './hub.js';

/** What happens to which hub, when: the faults a scenario injects. Scenarios are data (device-sim/scenarios/*.json). */
export type ScenarioEvent =
  | { readonly atMinutes: number; readonly hub: number; readonly kind: 'sudden-fault'; readonly appliance: string; readonly code: string }
  | { readonly atMinutes: number; readonly hub: number; readonly kind: 'compressor-degradation'; readonly appliance: string; readonly perHour: number }
  | { readonly atMinutes: number; readonly hub: number; readonly kind: 'sensor-dropout'; readonly appliance: string; readonly metric: string }
  | { readonly atMinutes: number; readonly hub: number; readonly kind: 'sensor-stuck'; readonly appliance: string; readonly metric: string }
  | { readonly atMinutes: number; readonly hub: number; readonly kind: 'hub-unplugged' }
  | { readonly atMinutes: number; readonly hub: number; readonly kind: 'appliance-unplugged'; readonly appliance: string }
  | { readonly atMinutes: number; readonly hubs: readonly number[]; readonly kind: 'firmware-bug'; readonly appliance: string; readonly code: string }
  /** A fault that comes and clears by itself, `times` times, every `everyMinutes`, each lasting `lastsMinutes`. */
  | { readonly atMinutes: number; readonly hub: number; readonly kind: 'repeated-fault'; readonly appliance: string; readonly code: string; readonly times: number; readonly everyMinutes: number; readonly lastsMinutes: number }
  /** The fridge door left open for `minutes`. */
  | { readonly atMinutes: number; readonly hub: number; readonly kind: 'door-left-open'; readonly appliance: string; readonly minutes: number }
  /** The hub off the network for `minutes` (a will, then nothing), back with what it kept meanwhile. */
  | { readonly atMinutes: number; readonly hub: number; readonly kind: 'hub-outage'; readonly minutes: number };

/**
 * What the households of a scenario do that must not alarm (drawn per hub from the seed):
 * modes, Wi-Fi drops and reboots, quiet households, older firmware, ids repeated across homes.
 */
export interface ScenarioBehaviour {
  /** Share of hubs that name their appliances generically (`fridge-1`, the same in every home). */
  readonly genericIds?: number;
  /** Share of hubs with older firmware (no W-DOOR-01 / W-TMP-01 codes). */
  readonly oldFirmware?: number;
  /** Households that stock and report their fridge's food; of them, the share that report it once only. */
  readonly household?: boolean;
  readonly quietHouseholds?: number;
  /** Share of households that go on vacation (the fridge in vacation mode for 1–2 days), and that use super-freeze (6–24 h). */
  readonly vacation?: number;
  readonly superFreeze?: number;
  /** Quick Wi-Fi drops (back within 100–240 s, readings kept), hub reboots (back within 20–60 s, counters reset), appliance reboots — each per hub per day. */
  readonly wifiDropsPerDay?: number;
  readonly hubRebootsPerDay?: number;
  readonly applianceRebootsPerDay?: number;
  /** The customers' time zones, hub i has `timeZones[i % n]` (for food digests at their local hour). */
  readonly timeZones?: readonly string[];
}

/** What the hubs' networks do to their messages, hub by hub (see `scenarioHubOptions`). */
export interface ScenarioNetwork {
  /** Hub clocks are off by up to this many minutes either way. */
  readonly maxSkewMinutes?: number;
  readonly duplicateRate?: number;
  readonly reorderRate?: number;
  readonly reconnectRate?: number;
  /** Every n-th hub sends two readings per message. */
  readonly batchEvery?: number;
}

export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly hubs: number;
  readonly minutes: number;
  /** Simulated minutes between steps: each step is one telemetry message per appliance and a heartbeat (default 1). */
  readonly stepMinutes?: number;
  /** The appliances of hub i are `households[i % households.length]` (default: a fridge and a washer). */
  readonly households?: readonly (readonly ApplianceType[])[];
  /** The model name each appliance type is registered with. */
  readonly models?: Readonly<Partial<Record<ApplianceType, string>>>;
  readonly network?: ScenarioNetwork;
  readonly behaviour?: ScenarioBehaviour;
  readonly events: readonly ScenarioEvent[];
}

/** Ground truth: what really went wrong, where, from when. One line of NDJSON each. */
export interface Label {
  readonly hubId: string;
  readonly applianceId: string | null;
  readonly kind: LabelKind;
  readonly fault: string;
  readonly start: number;
  /** When the trouble ended, for troubles that end by themselves (a door closed, a hub back). */
  readonly end?: number | undefined;
  /** How often the trouble starts again in the label (a repeated fault): its alarm may be raised that often. */
  readonly occurrences?: number | undefined;
}

/** A hub outage is labelled as the hub-unplugged trouble it is. */
export type LabelKind = Exclude<ScenarioEvent['kind'], 'hub-outage'> | 'hub-unplugged';

export const scenariosDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'scenarios');

export function loadScenario(nameOrFile: string): Scenario {
  const file = nameOrFile.endsWith('.json') ? nameOrFile : join(scenariosDir, `${nameOrFile}.json`);
  return JSON.parse(readFileSync(file, 'utf8')) as Scenario;
}

export function scenarioNames(): string[] {
  return readdirSync(scenariosDir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

/** The hubs (by index) an event happens to: one, or many for a fleet-wide firmware bug. */
export function eventHubs(e: ScenarioEvent): readonly number[] {
  return e.kind === 'firmware-bug' ? e.hubs : [e.hub];
}

const MINUTE = 60_000;

/** What each event does to its hub, and the fault its label names. */
async function apply(e: ScenarioEvent, hub: SimHub, now: number): Promise<string> {
  switch (e.kind) {
    case 'repeated-fault':
      for (let i = 0; i < e.times; i++) {
        const start = now + i * e.everyMinutes * MINUTE;
        const raise = async (): Promise<void> => hub.injectFault(e.appliance, e.code);
        if (i === 0) await raise();
        else hub.schedule(start, raise);
        hub.schedule(start + e.lastsMinutes * MINUTE, () => hub.clearFault(e.appliance, e.code));
      }
      return e.code;
    case 'door-left-open':
      hub.leaveDoorOpen(e.appliance, e.minutes);
      return 'door left open';
    case 'hub-outage':
      hub.dropOff(e.minutes * MINUTE);
      return 'hub off the network';
    case 'sudden-fault':
    case 'firmware-bug':
      await hub.injectFault(e.appliance, e.code);
      return e.code;
    case 'compressor-degradation':
      hub.degrade(e.appliance, e.perHour);
      return 'compressor efficiency loss';
    case 'sensor-dropout':
      hub.dropSensor(e.appliance, e.metric);
      return `${e.metric} sensor`;
    case 'sensor-stuck':
      hub.stickSensor(e.appliance, e.metric);
      return `${e.metric} sensor stuck`;
    case 'hub-unplugged':
      hub.goSilent();
      return 'hub unplugged';
    case 'appliance-unplugged':
      hub.unplugAppliance(e.appliance);
      return 'appliance unplugged';
  }
}

/** The end (and repetitions) a label carries for troubles that end by themselves. */
function labelEnd(e: ScenarioEvent, now: number): { end?: number; occurrences?: number } {
  if (e.kind === 'repeated-fault') return { end: now + ((e.times - 1) * e.everyMinutes + e.lastsMinutes) * MINUTE, occurrences: e.times };
  if (e.kind === 'door-left-open' || e.kind === 'hub-outage') return { end: now + e.minutes * MINUTE };
  return {};
}

/**
 * Applies the events due at `minute` to the fleet and returns the labels they create. With
 * steps of several minutes, an event is due on the first step at or after its minute.
 */
export async function applyDue(scenario: Scenario, fleet: readonly SimHub[], minute: number, now: number): Promise<Label[]> {
  const step = scenario.stepMinutes ?? 1;
  const labels: Label[] = [];
  for (const e of scenario.events) {
    if (e.atMinutes > minute || e.atMinutes <= minute - step) continue;
    for (const index of eventHubs(e)) {
      const hub = fleet[index];
      if (hub === undefined) continue;
      const appliance = 'appliance' in e ? hub.appliances.find((a) => a.type === e.appliance || a.id === e.appliance) : undefined;
      if ('appliance' in e && appliance === undefined) continue; // the hub has no such appliance: nothing happened, no label
      const fault = await apply(e, hub, now);
      labels.push({ hubId: hub.hubId, applianceId: appliance?.id ?? null, kind: e.kind === 'hub-outage' ? 'hub-unplugged' : e.kind, fault, start: now, ...labelEnd(e, now) });
    }
  }
  return labels;
}
