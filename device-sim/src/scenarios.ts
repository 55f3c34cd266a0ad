import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SimHub } from './hub.js';

/** What happens to which hub, when: the faults a scenario injects. Scenarios are data (device-sim/scenarios/*.json). */
export type ScenarioEvent =
  | { readonly atMinutes: number; readonly hub: number; readonly kind: 'sudden-fault'; readonly appliance: string; readonly code: string }
  | { readonly atMinutes: number; readonly hub: number; readonly kind: 'compressor-degradation'; readonly appliance: string; readonly perHour: number }
  | { readonly atMinutes: number; readonly hub: number; readonly kind: 'sensor-dropout'; readonly appliance: string; readonly metric: string }
  | { readonly atMinutes: number; readonly hub: number; readonly kind: 'hub-unplugged' }
  | { readonly atMinutes: number; readonly hub: number; readonly kind: 'appliance-unplugged'; readonly appliance: string }
  | { readonly atMinutes: number; readonly hubs: readonly number[]; readonly kind: 'firmware-bug'; readonly appliance: string; readonly code: string };

export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly hubs: number;
  readonly minutes: number;
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

/** Applies the events due at `minute` to the fleet and returns the labels they create. */
export async function applyDue(scenario: Scenario, fleet: readonly SimHub[], minute: number, now: number): Promise<Label[]> {
  const labels: Label[] = [];
  for (const e of scenario.events) {
    if (e.atMinutes !== minute) continue;
    const targets = e.kind === 'firmware-bug' ? e.hubs : [e.hub];
    for (const index of targets) {
      const hub = fleet[index];
      if (hub === undefined) continue;
      const appliance = 'appliance' in e ? hub.appliances.find((a) => a.type === e.appliance || a.id === e.appliance) : undefined;
      switch (e.kind) {
        case 'sudden-fault':
        case 'firmware-bug':
          await hub.injectFault(e.appliance, e.code);
          labels.push({ hubId: hub.hubId, applianceId: appliance?.id ?? null, kind: e.kind, fault: e.code, start: now });
          break;
        case 'compressor-degradation':
          hub.degrade(e.appliance, e.perHour);
          labels.push({ hubId: hub.hubId, applianceId: appliance?.id ?? null, kind: e.kind, fault: 'compressor efficiency loss', start: now });
          break;
        case 'sensor-dropout':
          hub.dropSensor(e.appliance, e.metric);
          labels.push({ hubId: hub.hubId, applianceId: appliance?.id ?? null, kind: e.kind, fault: `${e.metric} sensor`, start: now });
          break;
        case 'hub-unplugged':
          hub.goSilent();
          labels.push({ hubId: hub.hubId, applianceId: null, kind: e.kind, fault: 'hub unplugged', start: now });
          break;
        case 'appliance-unplugged':
          hub.unplugAppliance(e.appliance);
          labels.push({ hubId: hub.hubId, applianceId: appliance?.id ?? null, kind: e.kind, fault: 'appliance unplugged', start: now });
          break;
      }
    }
  }
  return labels;
}
