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
  | { readonly atMinutes: number; readonly hubs: readonly number[]; readonly kind: 'firmware-bug'; readonly appliance: string; readonly code: string };

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
  readonly events: readonly ScenarioEvent[];
}

/** Ground truth: what really went wrong, where, from when. One line of NDJSON each. */
export interface Label {
  readonly hubId: string;
  readonly applianceId: string | null;
  readonly kind: ScenarioEvent['kind'];
  readonly fault: string;
  readonly start: number;
}

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

/** What each event does to its hub, and the fault its label names. */
async function apply(e: ScenarioEvent, hub: SimHub): Promise<string> {
  switch (e.kind) {
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
      const fault = await apply(e, hub);
      labels.push({ hubId: hub.hubId, applianceId: appliance?.id ?? null, kind: e.kind, fault, start: now });
    }
  }
  return labels;
}
