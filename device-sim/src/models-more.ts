/**
 * Behaviour models for the dryer, dishwasher, air conditioner, water heater and oven: each
 * follows the physics of its appliance closely enough for rules to be tested on it (cycles,
 * thermostats, the weather, hot-water draws), stays inside its catalog's typical ranges
 * while healthy, and shows a fault the way a real one would (a dead heater stays cold, a
 * blocked drain keeps water in, a low refrigerant charge loses cooling).
 */
import { BaseModel, WearingModel } from './model-base.js';
import type { Reading } from './models.js';
import type { Random } from './random.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const round = (v: number, digits = 2): number => Math.round(v * 10 ** digits) / 10 ** digits;
const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
/** First-order approach of `v` toward `target` at `rate` per minute. */
const toward = (v: number, target: number, ratePerMin: number, minutes: number): number => v + (target - v) * Math.min(1, ratePerMin * minutes);

/** A cycle through named phases of fixed length, started now and then; shared by the dryer and the dishwasher. */
class Cycle<P extends { readonly phase: string; readonly minutes: number }> {
  private index = -1;
  private left = 0;

  constructor(
    private readonly phases: readonly P[],
    private readonly startsPerHour: number,
  ) {}

  /** The phase after `minutes` more, or undefined while idle. `stretch` lengthens phases (a weak heater). */
  step(rnd: Random, minutes: number, stretch = 1): P | undefined {
    if (this.index < 0) {
      if (!rnd.chance(Math.min(0.3, (this.startsPerHour / 60) * minutes))) return undefined;
      this.index = 0;
      this.left = (this.phases[0]?.minutes ?? 0) * stretch;
      return this.phases[0];
    }
    this.left -= minutes;
    while (this.left <= 0 && this.index >= 0) {
      this.index++;
      const next = this.phases[this.index];
      if (next === undefined) this.index = -1;
      else this.left += next.minutes * stretch;
    }
    return this.index < 0 ? undefined : this.phases[this.index];
  }
}

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

/**
 * Oven: off most of the day; a cooking session preheats to 160–230 °C, the thermostat then
 * cycles the elements around the setpoint, door openings drop the cavity a few degrees.
 * E-HTR-01/02: half the heat, the setpoint is never reached. E-RLY-01 / E-OVH-01: the relay
 * sticks and the cavity climbs past the setpoint, even after switching off.
 */
export class OvenModel extends BaseModel {
  readonly type = 'oven' as const;
  private cavity = 22;
  private setpoint = 0;
  private left = 0;
  private heating = false;

  step(dtMs: number): Reading {
    const minutes = dtMs / 60_000;
    if (this.left <= 0 && this.rnd.chance(Math.min(0.3, 0.002 * minutes))) {
      this.setpoint = Math.round(this.rnd.between(160, 230) / 5) * 5;
      this.left = this.rnd.between(30, 90);
    }
    const cooking = this.left > 0;
    this.left -= minutes;
    if (!cooking) this.setpoint = 0;
    const stuck = this.fault === 'E-RLY-01' || this.fault === 'E-OVH-01';
    const power = this.fault === 'E-HTR-01' || this.fault === 'E-HTR-02' ? 0.45 : 1;
    if (cooking && this.cavity < this.setpoint - 4) this.heating = true;
    if (!cooking || this.cavity > this.setpoint + 2) this.heating = false;
    if (stuck) this.heating = true;
    const doorOpen = cooking && this.rnd.chance(Math.min(0.3, 0.01 * minutes));
    // Heating toward ~280 °C at full power; cooling toward the kitchen; an open door costs ~15 °C.
    const target = this.heating ? 22 + 260 * power : 22;
    this.cavity = clamp(toward(this.cavity, target, this.heating ? 0.06 : 0.03, minutes) - (doorOpen ? 15 : 0) + this.rnd.gauss(0.3), -20, 550);
    const hot = this.cavity > 60;
    return {
      metrics: {
        cavity_temp_c: round(this.cavity),
        setpoint_c: this.setpoint,
        door_temp_c: round(clamp(22 + (this.cavity - 22) * 0.12 + this.rnd.gauss(0.2), -20, 200)),
        electronics_temp_c: round(clamp(28 + (this.cavity - 22) * 0.1 + this.rnd.gauss(0.2), -20, 150)),
        heater_current_a: round(this.heating ? clamp(11 * power + this.rnd.gauss(0.1), 0, 40) : 0),
        fan_rpm: hot && this.fault !== 'E-FAN-01' ? Math.round(clamp(1800 + this.rnd.gauss(20), 0, 4000)) : 0,
        probe_temp_c: round(clamp(cooking ? Math.min(85, 20 + (this.cavity - 22) * 0.3) : 20, -20, 150)),
        door_open: doorOpen,
      },
      state: { mode: cooking ? (this.cavity < this.setpoint - 10 ? 'preheat' : 'bake') : hot ? 'cool_down' : 'off', door_locked: false, light: cooking },
    };
  }
}
