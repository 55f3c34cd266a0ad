import { Cycle } from './cycle.js';
import { BaseModel, clamp, round, toward, type Reading } from './model.js';
import type { Random } from '../random.js';

const DRY_PHASES = [
  { phase: 'heat', minutes: 15, heat: true, rpm: 50 },
  { phase: 'tumble', minutes: 45, heat: true, rpm: 55 },
  { phase: 'cool_down', minutes: 10, heat: false, rpm: 50 },
  { phase: 'anti_crease', minutes: 5, heat: false, rpm: 20 },
] as const;

/**
 * Dryer: idle most of the day; a cycle heats the drum air to ~65 °C and tumbles while the
 * exhaust humidity falls as the load dries, then cools down. E-HTR-01: no heat, the load
 * stays wet and the cycle runs long. E-OVH-01 / W-AIR-01: a blocked vent — air flow drops
 * and the exhaust runs hot.
 */
export class DryerModel extends BaseModel {
  readonly type = 'dryer' as const;
  private readonly cycle = new Cycle(DRY_PHASES, 0.5);
  /** The utility room it stands in. */
  private readonly room: number;
  private drum: number;
  private exhaust: number;
  private moisture = 0;

  constructor(rnd: Random) {
    super(rnd);
    this.room = rnd.between(26.5, 28.5);
    this.drum = this.room;
    this.exhaust = this.room;
  }

  step(dtMs: number): Reading {
    const minutes = dtMs / 60_000;
    const noHeat = this.fault === 'E-HTR-01';
    const blocked = this.fault === 'E-OVH-01' || this.fault === 'W-AIR-01';
    const wasIdle = this.moisture <= 0;
    const p = this.cycle.step(this.rnd, minutes, noHeat ? 1.6 : 1);
    if (p !== undefined && wasIdle && p.phase === 'heat') this.moisture = this.rnd.between(0.6, 0.9);
    const heating = p?.heat === true && !noHeat;
    this.drum = toward(this.drum, heating ? (blocked ? 95 : 65) : this.room, 0.15, minutes);
    if (heating) this.moisture = Math.max(0.02, this.moisture - 0.012 * minutes);
    if (p === undefined) this.moisture = 0;
    // Evaporation cools the exhaust air while the load is wet and the heater runs.
    this.exhaust = toward(this.exhaust, p === undefined ? this.room : heating ? this.drum - 8 + (blocked ? 10 : 0) - this.moisture * 10 : this.drum - 1, 0.2, minutes);
    const airflow = p === undefined ? 0 : (blocked ? 45 : 150) + this.rnd.gauss(5);
    return {
      metrics: {
        drum_temp_c: round(clamp(this.drum + this.rnd.gauss(0.3), -20, 150)),
        exhaust_temp_c: round(clamp(this.exhaust + this.rnd.gauss(0.3), -20, 150)),
        drum_rpm: p === undefined ? 0 : Math.round(clamp(p.rpm + this.rnd.gauss(1), 0, 120)),
        motor_current_a: round(p === undefined ? 0 : clamp(1.2 + this.rnd.gauss(0.05), 0, 15)),
        heater_current_a: round(heating ? clamp(9.5 + this.rnd.gauss(0.2), 0, 30) : 0),
        humidity_pct: round(clamp(p === undefined ? 40 : 10 + this.moisture * 90 + this.rnd.gauss(1), 0, 100)),
        airflow_m3h: round(clamp(airflow, 0, 500)),
        door_open: p === undefined && this.rnd.chance(0.01),
      },
      state: { phase: p?.phase ?? 'idle', program: 'cotton', lint_filter_full: this.fault === 'W-LNT-01', water_tank_full: false },
    };
  }
}
