import { Cycle } from './cycle.js';
import { BaseModel, clamp, round, toward, type Reading } from './model.js';

const DISH_PHASES = [
  { phase: 'prewash', minutes: 10, temp: 35, heat: false, fill: 4 },
  { phase: 'wash', minutes: 40, temp: 60, heat: true, fill: 8 },
  { phase: 'rinse', minutes: 25, temp: 65, heat: true, fill: 12 },
  { phase: 'dry', minutes: 30, temp: 45, heat: false, fill: 12 },
] as const;

/**
 * Dishwasher: an evening cycle — fill, heat the wash to ~60 °C with the circulation pump
 * spraying, hot rinse, dry. E-HTR-01: the water stays at inlet temperature. E-DRN-01: the
 * water does not leave the sump after the cycle (the fill volume and pump load stay).
 */
export class DishwasherModel extends BaseModel {
  readonly type = 'dishwasher' as const;
  private readonly cycle = new Cycle(DISH_PHASES, 0.08);
  private water = 18;
  private soil = 0;

  step(dtMs: number): Reading {
    const minutes = dtMs / 60_000;
    const p = this.cycle.step(this.rnd, minutes);
    const noHeat = this.fault === 'E-HTR-01';
    const stuck = this.fault === 'E-DRN-01';
    const heating = p?.heat === true && !noHeat && this.water < p.temp;
    this.water = toward(this.water, p === undefined ? 20 : noHeat ? 18 : p.temp, heating ? 0.08 : 0.03, minutes);
    this.soil = p === undefined ? 0 : p.phase === 'prewash' ? 400 : Math.max(10, this.soil * (1 - 0.05 * minutes));
    const spraying = p !== undefined && p.phase !== 'dry';
    return {
      metrics: {
        water_temp_c: round(clamp(this.water + this.rnd.gauss(0.3), 0, 100)),
        fill_volume_l: round(p !== undefined ? p.fill : stuck ? 4 : 0),
        spray_pressure_kpa: round(spraying ? clamp(180 + this.rnd.gauss(8), 0, 500) : 0),
        pump_current_a: round(spraying ? clamp(0.9 + this.rnd.gauss(0.03), 0, 10) : stuck ? 0.4 : 0),
        heater_current_a: round(heating ? clamp(8.5 + this.rnd.gauss(0.1), 0, 20) : 0),
        turbidity_ntu: round(clamp(this.soil + this.rnd.gauss(5), 0, 4000)),
        door_open: p === undefined && this.rnd.chance(0.01),
        base_water: this.fault === 'E-LEAK-01',
      },
      state: { phase: p?.phase ?? 'idle', program: 'eco', salt_low: false, rinse_aid_low: false },
    };
  }
}
