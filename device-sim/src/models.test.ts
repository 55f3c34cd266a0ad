import { describe, expect, it } from 'vitest';
import { applianceSpec, type ApplianceType } from '@forecare/firmware-contracts';
import { modelFor, type ApplianceModel, type Reading } from './models.js';
import { Random } from './random.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.UTC(2026, 6, 1); // midnight UTC, a summer day

/** Runs a model minute by minute for `hours` from T0 and returns every reading with its time. */
function run(model: ApplianceModel, hours: number): { at: number; r: Reading }[] {
  const out: { at: number; r: Reading }[] = [];
  for (let at = T0; at < T0 + hours * HOUR; at += MIN) out.push({ at, r: model.step(MIN, at) });
  return out;
}

const fresh = (type: ApplianceType, fault?: string, seed = 7): ApplianceModel => {
  const m = modelFor(type, new Random(seed));
  m.setFault(fault);
  return m;
};
const num = (r: Reading, k: string): number => r.metrics[k] as number;
const max = (xs: number[]): number => Math.max(...xs);
const min = (xs: number[]): number => Math.min(...xs);

describe('behaviour models', () => {
  it('every model stays inside the valid ranges and mostly inside the typical ones', () => {
    for (const type of ['dryer', 'dishwasher', 'air_conditioner', 'water_heater', 'oven'] as const) {
      const spec = applianceSpec(type);
      const readings = run(fresh(type), 48);
      for (const m of spec?.metrics ?? []) {
        const values = readings.map(({ r }) => r.metrics[m.name]);
        expect(values.every((v) => v !== undefined), `${type}.${m.name} always reported`).toBe(true);
        if (m.type === 'boolean') continue;
        const nums = values as number[];
        expect(min(nums), `${type}.${m.name} ≥ valid`).toBeGreaterThanOrEqual(m.valid[0]);
        expect(max(nums), `${type}.${m.name} ≤ valid`).toBeLessThanOrEqual(m.valid[1]);
        // A machine at rest reads 0 air flow or current: normal, though below the running range.
        const idle = (i: number): boolean => ['idle', 'off', 'standby'].includes(String(readings[i]?.r.state.phase ?? readings[i]?.r.state.mode));
        const inTypical = nums.filter((v, i) => (v >= m.typical[0] - 1e-9 && v <= m.typical[1] + 1e-9) || (v === 0 && idle(i))).length / nums.length;
        expect(inTypical, `${type}.${m.name} mostly typical`).toBeGreaterThan(0.97);
      }
    }
  });

  it('the same seed gives the same readings', () => {
    for (const type of ['dryer', 'dishwasher', 'air_conditioner', 'water_heater', 'oven'] as const) {
      expect(run(fresh(type, undefined, 99), 6)).toEqual(run(fresh(type, undefined, 99), 6));
    }
  });

  it('air conditioner: the weather peaks in the afternoon, the room holds its setpoint; low refrigerant lets it climb', () => {
    const healthy = run(fresh('air_conditioner'), 48);
    const at = (h: number): Reading => (healthy.find((x) => x.at === T0 + 24 * HOUR + h * HOUR) as { r: Reading }).r;
    expect(num(at(15), 'outdoor_temp_c')).toBeGreaterThan(num(at(3), 'outdoor_temp_c') + 8);
    expect(num(at(15), 'compressor_freq_hz')).toBeGreaterThan(num(at(3), 'compressor_freq_hz'));
    const setpoint = num(at(15), 'setpoint_c');
    expect(Math.abs(num(at(15), 'indoor_temp_c') - setpoint)).toBeLessThan(1.5);
    const leaking = run(fresh('air_conditioner', 'E-REF-01'), 48).find((x) => x.at === T0 + 24 * HOUR + 16 * HOUR) as { r: Reading };
    expect(num(leaking.r, 'indoor_temp_c')).toBeGreaterThan(setpoint + 3);
    expect(num(leaking.r, 'suction_pressure_kpa')).toBeLessThan(num(at(16), 'suction_pressure_kpa') - 200);
  });

  it('air conditioner: a slow loss of capacity warms the afternoons day by day', () => {
    const m = fresh('air_conditioner');
    m.degrade?.(0.15); // 1.5 % of its capacity a day... per hour tenths: 0.015/h
    const readings = run(m, 24 * 20);
    const afternoon = (day: number): number => num((readings.find((x) => x.at === T0 + day * 24 * HOUR + 16 * HOUR) as { r: Reading }).r, 'indoor_temp_c');
    expect(afternoon(18)).toBeGreaterThan(afternoon(1) + 2);
  });

  it('water heater: showers pull the tank down and the element brings it back; a dead element lets it go cold', () => {
    const healthy = run(fresh('water_heater'), 48);
    const draws = healthy.filter(({ r }) => num(r, 'flow_lpm') > 0);
    expect(draws.length).toBeGreaterThan(10);
    const hours = new Set(draws.map(({ at }) => new Date(at).getUTCHours()));
    expect([...hours].some((h) => h >= 6 && h <= 8) && [...hours].some((h) => h >= 19 && h <= 21)).toBe(true);
    expect(min(healthy.map(({ r }) => num(r, 'tank_temp_c')))).toBeGreaterThan(40);
    expect(num((healthy.at(-1) as { r: Reading }).r, 'tank_temp_c')).toBeGreaterThan(48);
    const dead = run(fresh('water_heater', 'E-HTR-01'), 48);
    expect(num((dead.at(-1) as { r: Reading }).r, 'tank_temp_c')).toBeLessThan(35);
    expect(max(dead.map(({ r }) => num(r, 'heater_current_a')))).toBe(0);
  });

  it('oven: a session reaches its setpoint and holds it; a dead element never gets there; a stuck relay overshoots', () => {
    const sessionPeak = (fault?: string): { peak: number; setpoint: number } => {
      const rs = run(fresh('oven', fault), 72).map(({ r }) => r);
      const setpoint = max(rs.map((r) => num(r, 'setpoint_c')));
      return { peak: max(rs.map((r) => num(r, 'cavity_temp_c'))), setpoint };
    };
    const ok = sessionPeak();
    expect(ok.setpoint).toBeGreaterThanOrEqual(160);
    expect(ok.peak).toBeGreaterThan(ok.setpoint - 10);
    expect(ok.peak).toBeLessThan(ok.setpoint + 15);
    const weak = sessionPeak('E-HTR-01');
    expect(weak.peak).toBeLessThan(weak.setpoint - 40);
    expect(sessionPeak('E-RLY-01').peak).toBeGreaterThan(260);
  });

  it('dryer: a cycle heats, dries the load (exhaust humidity falls) and cools down; without its heater the load stays wet', () => {
    const rs = run(fresh('dryer'), 72).map(({ r }) => r);
    const phases = new Set(rs.map((r) => r.state.phase));
    for (const p of ['idle', 'heat', 'tumble', 'cool_down']) expect(phases.has(p)).toBe(true);
    const tumbling = rs.filter((r) => r.state.phase === 'tumble').map((r) => num(r, 'humidity_pct'));
    expect(min(tumbling)).toBeLessThan(40);
    expect(max(rs.map((r) => num(r, 'drum_temp_c')))).toBeGreaterThan(60);
    const cold = run(fresh('dryer', 'E-HTR-01'), 72).map(({ r }) => r);
    expect(max(cold.map((r) => num(r, 'drum_temp_c')))).toBeLessThan(32);
    expect(min(cold.filter((r) => r.state.phase === 'tumble').map((r) => num(r, 'humidity_pct')))).toBeGreaterThan(55);
  });

  it('dishwasher: washes hot and drains; a heater fault keeps the water cold, a drain fault keeps water in', () => {
    const rs = run(fresh('dishwasher'), 24 * 5).map(({ r }) => r);
    const washing = rs.filter((r) => r.state.phase === 'wash' || r.state.phase === 'rinse');
    expect(washing.length).toBeGreaterThan(0);
    expect(max(washing.map((r) => num(r, 'water_temp_c')))).toBeGreaterThan(55);
    expect(rs.filter((r) => r.state.phase === 'idle').every((r) => num(r, 'fill_volume_l') === 0)).toBe(true);
    const cold = run(fresh('dishwasher', 'E-HTR-01'), 24 * 5).map(({ r }) => r);
    expect(max(cold.map((r) => num(r, 'water_temp_c')))).toBeLessThan(25);
    const blocked = run(fresh('dishwasher', 'E-DRN-01'), 24 * 5).map(({ r }) => r);
    expect(blocked.filter((r) => r.state.phase === 'idle').every((r) => num(r, 'fill_volume_l') > 0)).toBe(true);
  });
});
