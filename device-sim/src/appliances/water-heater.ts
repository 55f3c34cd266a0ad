import { DAY, HOUR, WearingModel, clamp, round, type Reading } from './model.js';
import type { Random } from '../random.js';

/**
 * Electric water heater: the element holds the tank between setpoint − 5 °C and the
 * setpoint; showers in the morning and the evening draw hot water, replaced by cold inlet
 * water, so the tank drops and recovers. E-HTR-01 (and `degrade`: scale on the element)
 * slow or stop the recovery; E-OVH-01 (a stuck thermostat) heats past the setpoint.
 */
export class WaterHeaterModel extends WearingModel {
  readonly type = 'water_heater' as const;
  private readonly setpoint: number;
  private readonly inlet: number;
  private tank: number;
  private on = false;
  private at: number;
  private drawLeft = 0;

  constructor(rnd: Random) {
    super(rnd);
    this.setpoint = Math.round(rnd.between(55, 62));
    this.inlet = rnd.between(10, 18);
    this.tank = this.setpoint - rnd.between(0, 4);
    this.at = rnd.between(0, DAY);
  }

  step(dtMs: number, at?: number): Reading {
    const minutes = dtMs / 60_000;
    this.at = at ?? this.at + dtMs;
    this.wear(minutes, 0.05); // scale on the element: heating slows, never quite stops
    const hour = (this.at % DAY) / HOUR;
    const showerTime = (hour >= 6.5 && hour < 8.5) || (hour >= 19 && hour < 22);
    if (this.drawLeft <= 0 && this.rnd.chance(Math.min(0.5, (showerTime ? 0.015 : 0.002) * minutes))) this.drawLeft = this.rnd.between(3, 8);
    const flow = this.drawLeft > 0 ? this.rnd.between(6, 9) : 0;
    this.drawLeft -= minutes;
    const stuck = this.fault === 'E-OVH-01';
    if (this.tank < this.setpoint - 5) this.on = true;
    if (this.tank >= this.setpoint && !stuck) this.on = false;
    const heating = this.on && this.fault !== 'E-HTR-01';
    // A 200 L tank: a 4.5 kW element adds ~0.3 °C a minute; a draw mixes in cold water; standby loss is slow.
    this.tank += (heating ? 0.3 * this.capacity : 0) * minutes - (flow / 200) * (this.tank - this.inlet) * minutes - 0.002 * (this.tank - 20) * minutes;
    this.tank = clamp(this.tank + this.rnd.gauss(0.02), 0, 110);
    return {
      metrics: {
        tank_temp_c: round(this.tank),
        outlet_temp_c: round(clamp(this.tank - (flow > 0 ? 1.5 : 3) + this.rnd.gauss(0.2), 0, 110)),
        inlet_temp_c: round(clamp(this.inlet + this.rnd.gauss(0.1), 0, 50)),
        pressure_bar: round(clamp(3 + (this.tank - 50) * 0.02 + this.rnd.gauss(0.02), 0, 16)),
        flow_lpm: round(flow),
        heater_current_a: round(heating ? clamp(14.5 + this.rnd.gauss(0.1), 0, 40) : 0),
        flame_current_ua: 0,
        co_ppm: 0,
        gas_lel_pct: 0,
      },
      state: { mode: heating ? 'heating' : 'standby', burner_on: false, element_on: heating },
    };
  }
}
