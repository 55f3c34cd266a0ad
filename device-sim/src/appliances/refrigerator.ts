/**
 * Fridge: the fresh-food compartment warms toward the kitchen and the one compressor pulls it
 * and the freezer down between their thermostats' limits; a defrost runs every eight hours.
 * What households do to it: brief door openings (seconds; a reading catches the door open
 * only if it is open at that instant), warm grocery loads (a few degrees, pulled back within
 * the hour), vacation mode (the fresh-food side held at ~15 °C on purpose), super-freeze (the
 * freezer pulled to ~-28 °C for hours, then a long defrost of the ice it built). What goes
 * wrong: E-CMP-* stops the compressor, `degrade` loses its grip slowly, a door left open.
 * Newer firmware reports a door open over five minutes (W-DOOR-01) and a freezer above -12 °C
 * for two hours (W-TMP-01) as codes; older firmware only reports `door_open` and the readings.
 */
import type { Random } from '../random.js';
import { clamp, round, WearingModel } from './model.js';

export type FridgeMode = 'normal' | 'eco' | 'vacation' | 'super_cool' | 'super_freeze';

/** A code the firmware raises or clears by itself (newer firmware only). */
export interface FirmwareCode {
  readonly code: string;
  readonly active: boolean;
}

export interface FridgeReading {
  readonly metrics: Record<string, number | boolean>;
  readonly state: Record<string, string | boolean>;
  readonly codes: FirmwareCode[];
}

const MIN = 60_000;

/** Thermostat limits (°C) of the fresh-food side, by mode: the compressor (and the damper) switch at them. */
const FRIDGE_LIMITS: Record<FridgeMode, readonly [number, number]> = { normal: [3, 5], eco: [4, 6], vacation: [14, 16], super_cool: [1, 3], super_freeze: [3, 5] };

export class RefrigeratorModel extends WearingModel {
  readonly type = 'refrigerator' as const;
  /** Newer firmware reports W-DOOR-01 and W-TMP-01 itself. */
  newFirmware = true;
  private fridge: number;
  private freezer: number;
  private compressorOn = false;
  private sinceDefrost: number;
  private defrostLeft = 0;
  private readonly ambient: number;
  private mode: FridgeMode = 'normal';
  private superFreezeLeft = 0;
  /** A door left open: how much longer (ms), and how long it has been open. */
  private leftOpen = 0;
  private openFor = 0;
  /** Heat of a warm grocery load still to come in (°C). */
  private loadHeat = 0;
  private warmFreezerFor = 0;
  private readonly active = new Set<string>();

  constructor(rnd: Random) {
    super(rnd);
    this.ambient = rnd.between(18, 26);
    this.fridge = rnd.between(3, 5);
    this.freezer = rnd.between(-20, -16);
    // Stagger defrost cycles across the fleet.
    this.sinceDefrost = rnd.between(0, 8 * 3_600_000);
  }

  setMode(mode: FridgeMode, hours = 0): void {
    const leaving = this.mode === 'super_freeze' && mode !== 'super_freeze';
    this.mode = mode;
    this.superFreezeLeft = mode === 'super_freeze' ? hours * 3_600_000 : 0;
    // The ice a super-freeze built takes a long defrost.
    if (leaving) this.startDefrost(40 * MIN);
  }

  /** The door stays open for `minutes` (someone did not close it). */
  leaveDoorOpen(minutes: number): void {
    this.leftOpen = minutes * MIN;
  }

  /** A warm shopping load goes in: a few degrees of heat over the next quarter hour, and the door open while unloading. */
  groceries(): void {
    this.loadHeat += this.rnd.between(2.5, 4.5);
  }

  private startDefrost(ms: number): void {
    this.defrostLeft = ms;
    this.sinceDefrost = 0;
  }

  step(dtMs: number): FridgeReading {
    const minutes = dtMs / MIN;
    this.wear(minutes);
    const codes: FirmwareCode[] = [];
    if (this.mode === 'super_freeze') {
      this.superFreezeLeft -= dtMs;
      if (this.superFreezeLeft <= 0) this.setMode('normal');
    }
    this.sinceDefrost += dtMs;
    if (this.defrostLeft <= 0 && this.sinceDefrost > 8 * 3_600_000 && this.mode !== 'super_freeze') this.startDefrost(20 * MIN);
    const defrost = this.defrostLeft > 0;
    this.defrostLeft -= dtMs;
    // Ordinary openings: a few an hour, seconds each; the reading sees the door open only if it is at that instant.
    const openings = this.rnd.chance(Math.min(0.9, 0.02 * minutes)) ? 1 + (this.rnd.chance(0.2) ? 1 : 0) : 0;
    const openSeconds = openings * this.rnd.between(5, 60);
    const left = this.leftOpen > 0;
    this.leftOpen = Math.max(0, this.leftOpen - dtMs);
    const unloading = this.loadHeat > 0 && this.rnd.chance(0.3);
    const doorOpen = left || (unloading && this.rnd.chance(0.5)) || this.rnd.chance(Math.min(1, openSeconds / (dtMs / 1000)));
    this.openFor = left ? this.openFor + dtMs : 0;
    const broken = this.fault?.startsWith('E-CMP') === true;
    const [lo, hi] = FRIDGE_LIMITS[this.mode];
    const [flo, fhi] = this.mode === 'super_freeze' ? [-29, -27] : [-20, -16];
    if ((this.fridge > hi || this.freezer > fhi) && !defrost && !broken) this.compressorOn = true;
    if ((this.fridge < lo && this.freezer < flo) || defrost || broken) this.compressorOn = false;
    const grip = this.compressorOn ? this.capacity : 0;
    // The damper lets cold air to the fresh-food side only while it is above its lower limit (vacation: ~15 °C).
    const damper = this.fridge > lo ? 1 : 0;
    const load = Math.min(this.loadHeat, 0.4 * minutes);
    this.loadHeat -= load;
    const leak = (this.ambient - this.fridge) * (left ? 0.03 : 0.004) * minutes + openings * 0.3 + load;
    this.fridge = clamp(this.fridge + leak - 0.12 * grip * damper * minutes, -5, 30);
    const fLeak = (this.ambient - this.freezer) * 0.002 * minutes + (defrost ? 0.1 * minutes : 0);
    this.freezer = clamp(this.freezer + fLeak - 0.15 * grip * minutes, -32, 25);
    const duty = this.compressorOn ? clamp(0.45 + (1 - this.capacity) * 0.5 + this.rnd.gauss(0.05), 0.05, 1) : clamp(0.15 + this.rnd.gauss(0.05), 0, 0.4);
    if (this.newFirmware) {
      this.code(codes, 'W-DOOR-01', this.openFor > 5 * MIN, !left);
      this.warmFreezerFor = this.freezer > -12 ? this.warmFreezerFor + dtMs : 0;
      this.code(codes, 'W-TMP-01', this.warmFreezerFor > 2 * 3_600_000, this.freezer < -15);
    }
    return {
      metrics: {
        // A sensor reads the air with a little noise of its own: never the same value to the hundredth for hours.
        fridge_temp_c: round(this.fridge + this.rnd.gauss(0.06)),
        freezer_temp_c: round(this.freezer + this.rnd.gauss(0.06)),
        compressor_duty: round(broken ? 0 : duty),
        compressor_current_a: round(this.fault === 'E-CMP-02' ? 6 + this.rnd.gauss(0.3) : this.compressorOn ? clamp(1.1 + this.rnd.gauss(0.1), 0.5, 2) : 0.05),
        ambient_temp_c: round(this.ambient + this.rnd.gauss(0.2)),
        door_open: doorOpen,
      },
      state: { defrost, mode: this.mode },
      codes,
    };
  }

  /** Raises `code` when `raise` holds and it is not active; clears it when `clear` holds and it is. */
  private code(out: FirmwareCode[], code: string, raise: boolean, clear: boolean): void {
    if (raise && !this.active.has(code)) {
      this.active.add(code);
      out.push({ code, active: true });
    } else if (clear && this.active.has(code)) {
      this.active.delete(code);
      out.push({ code, active: false });
    }
  }
}
