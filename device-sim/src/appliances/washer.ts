import { BaseModel, clamp, round, type Reading } from './model.js';

const WASH_PHASES = [
  { phase: 'fill', minutes: 4, temp: 20, rpm: 0, level: 45 },
  { phase: 'wash', minutes: 30, temp: 40, rpm: 50, level: 45 },
  { phase: 'drain', minutes: 2, temp: 35, rpm: 0, level: 0 },
  { phase: 'rinse', minutes: 10, temp: 20, rpm: 50, level: 40 },
  { phase: 'spin', minutes: 8, temp: 20, rpm: 1200, level: 0 },
  { phase: 'done', minutes: 0, temp: 20, rpm: 0, level: 0 },
] as const;

/** Washer: idle most of the day, now and then a cycle through its phases. E-DRN-01 keeps water in the drum. */
export class WasherModel extends BaseModel {
  readonly type = 'washer' as const;
  private phaseIndex = -1;
  private phaseLeft = 0;
  private water = 20;

  step(dtMs: number): Reading {
    const minutes = dtMs / 60_000;
    if (this.phaseIndex < 0 && this.rnd.chance(Math.min(0.3, 0.003 * minutes))) {
      this.phaseIndex = 0;
      this.phaseLeft = WASH_PHASES[0].minutes;
    }
    let p: (typeof WASH_PHASES)[number] | undefined = this.phaseIndex >= 0 ? WASH_PHASES[this.phaseIndex] : undefined;
    if (p !== undefined) {
      this.phaseLeft -= minutes;
      if (this.phaseLeft <= 0) {
        this.phaseIndex++;
        p = WASH_PHASES[this.phaseIndex];
        this.phaseLeft = p?.minutes ?? 0;
        if (p === undefined || p.phase === 'done') this.phaseIndex = -1;
      }
    }
    const target = p?.temp ?? 20;
    this.water += (target - this.water) * Math.min(1, 0.2 * minutes);
    const stuckWater = this.fault === 'E-DRN-01';
    const rpm = p === undefined ? 0 : Math.max(0, Math.round(p.rpm + this.rnd.gauss(p.rpm * 0.02)));
    return {
      metrics: {
        water_temp_c: round(clamp(this.water + this.rnd.gauss(0.3), 0, 100)),
        drum_rpm: rpm,
        water_level_pct: round(stuckWater ? 40 : (p?.level ?? 0)),
        motor_current_a: round(rpm > 0 ? clamp(0.6 + rpm / 1000 + this.rnd.gauss(0.05), 0, 3) : 0),
        vibration_g: round(rpm > 800 ? clamp(0.3 + this.rnd.gauss(0.05), 0, 0.8) : clamp(0.02 + Math.abs(this.rnd.gauss(0.01)), 0, 0.8)),
      },
      state: { phase: p?.phase ?? 'idle', door_locked: p !== undefined },
    };
  }
}
