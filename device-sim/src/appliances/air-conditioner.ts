import { DAY, HOUR, WearingModel, clamp, round, type Reading } from './model.js';
import type { Random } from '../random.js';

/** The outdoor air: a daily sine (warmest mid-afternoon) around a seasonal mean, plus noise. */
function outdoor(at: number, mean: number, swing: number): number {
  const hour = (at % DAY) / HOUR;
  return mean + swing * Math.sin(((hour - 9) / 24) * 2 * Math.PI);
}

/**
 * Air conditioner, cooling: the room gains heat from outdoors and the inverter compressor
 * removes it, running faster the hotter it is outside, so the room holds its setpoint
 * while the weather swings through the day. E-REF-01 (and a slow `degrade`) lose cooling
 * capacity: suction pressure falls and the room climbs with the afternoon heat.
 */
export class AirConditionerModel extends WearingModel {
  readonly type = 'air_conditioner' as const;
  private readonly mean: number;
  private readonly setpoint: number;
  private indoor: number;
  private at: number;

  constructor(rnd: Random) {
    super(rnd);
    this.mean = rnd.between(24, 30);
    this.setpoint = Math.round(rnd.between(22, 25));
    this.indoor = this.setpoint;
    this.at = rnd.between(0, DAY);
  }

  step(dtMs: number, at?: number): Reading {
    const minutes = dtMs / 60_000;
    this.at = at ?? this.at + dtMs;
    this.wear(minutes);
    const out = outdoor(this.at, this.mean, 6) + this.rnd.gauss(0.2);
    const grip = this.fault === 'E-REF-01' ? 0.25 * this.capacity : this.fault === 'E-CMP-01' ? 0 : this.capacity;
    // The inverter runs to hold the setpoint: harder when it is hotter outside and the room is above target.
    const demand = clamp(0.35 + (out - this.setpoint) * 0.05 + (this.indoor - this.setpoint) * 0.5, 0, 1);
    const freq = this.fault === 'E-CMP-01' ? 0 : demand * 85;
    const gain = (out - this.indoor) * 0.012 * minutes;
    const removed = demand * grip * 0.15 * minutes;
    this.indoor = clamp(this.indoor + gain - removed + this.rnd.gauss(0.03), -30, 70);
    const coil = clamp(12 - demand * grip * 8 + (1 - grip) * (this.indoor - 12) * 0.5, -30, 90);
    const suction = clamp(900 * (0.45 + 0.55 * grip) + this.rnd.gauss(15), 0, 2500);
    return {
      metrics: {
        indoor_temp_c: round(this.indoor),
        setpoint_c: this.setpoint,
        outdoor_temp_c: round(clamp(out, -40, 70)),
        indoor_humidity_pct: round(clamp(50 - demand * grip * 10 + this.rnd.gauss(1), 0, 100)),
        supply_air_temp_c: round(clamp(coil + 3 + this.rnd.gauss(0.2), -10, 80)),
        coil_temp_c: round(coil),
        compressor_freq_hz: round(clamp(freq + this.rnd.gauss(0.5), 0, 150)),
        compressor_current_a: round(clamp(freq * 0.1 + this.rnd.gauss(0.05), 0, 40)),
        discharge_pressure_kpa: round(clamp(1600 + (out - 20) * 45 + freq * 6 + this.rnd.gauss(20), 0, 5000)),
        suction_pressure_kpa: round(suction),
        filter_dp_pa: round(clamp((this.fault === 'W-FLT-01' ? 180 : 40) + this.rnd.gauss(2), 0, 500)),
      },
      state: { mode: 'cool', fan_speed: 'auto', defrost: false },
    };
  }
}
