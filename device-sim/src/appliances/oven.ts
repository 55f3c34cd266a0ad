import { BaseModel, clamp, round, toward, type Reading } from './model.js';

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
