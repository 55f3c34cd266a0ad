import type { ApplianceType } from '@forecare/firmware-contracts';
import type { NetworkImperfections, SimAppliance, SimHub } from './hub.js';
import { applyDue, type Label, type Scenario } from './scenarios.js';

const MINUTE = 60_000;

/** The appliances hub `index` of a scenario has: its household's types, ids `${hubId}.${type}`. */
export function scenarioAppliances(scenario: Scenario, hubId: string, index: number): SimAppliance[] | undefined {
  const households = scenario.households;
  if (households === undefined || households.length === 0) return undefined;
  const types: readonly ApplianceType[] = households[index % households.length] ?? [];
  return types.map((type) => ({ id: `${hubId}.${type}`, type }));
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

/** The SimHub options a scenario fixes for hub `index` (appliances, network, step, seed). */
export function scenarioHubOptions(scenario: Scenario, hubId: string, index: number, seed: number): { appliances: SimAppliance[] | undefined; network: NetworkImperfections | undefined; intervalMs: number; heartbeatMs: number; seed: number } {
  const stepMs = (scenario.stepMinutes ?? 1) * MINUTE;
  return { appliances: scenarioAppliances(scenario, hubId, index), network: scenarioNetwork(scenario, index), intervalMs: stepMs, heartbeatMs: stepMs, seed: seed + index };
}

export interface ScenarioDrive {
  /** Simulated time of minute 0. */
  readonly start: number;
  /** Moves the shared clock (the simulator's, and the gateway's when one runs). */
  setTime(at: number): void;
  /** After each step: the gateway's timers, progress. */
  afterStep?(minute: number): void | Promise<void>;
}

/** Steps the fleet through the scenario in accelerated time, applying its events; returns the labels. */
export async function driveScenario(scenario: Scenario, fleet: readonly SimHub[], drive: ScenarioDrive): Promise<Label[]> {
  const step = scenario.stepMinutes ?? 1;
  const labels: Label[] = [];
  for (let minute = 0; minute <= scenario.minutes; minute += step) {
    const now = drive.start + minute * MINUTE;
    drive.setTime(now);
    labels.push(...(await applyDue(scenario, fleet, minute, now)));
    await Promise.all(fleet.map((h) => h.tick()));
    await drive.afterStep?.(minute);
  }
  return labels;
}
