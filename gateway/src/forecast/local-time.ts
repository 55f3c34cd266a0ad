/**
 * Local days and hours in the forecast's time zone. A contact center staffs by its own
 * clock: a day is a local calendar day (YYYY-MM-DD), an interval a local hour, and the
 * epoch of an interval's start is found through Intl so daylight-saving zones work too.
 */

const HOUR = 3_600_000;
const DAY = 86_400_000;

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** YYYY-MM-DD plus n days (calendar arithmetic, no time zone involved). */
export function addDays(date: string, n: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

export const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

export function isIsoDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const t = Date.parse(`${text}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === text;
}

/** Consecutive dates from `first` to `last`, both included. */
export function dateRange(first: string, last: string): string[] {
  const out: string[] = [];
  for (let d = first; d <= last; d = addDays(d, 1)) out.push(d);
  return out;
}

export class LocalClock {
  private readonly format: Intl.DateTimeFormat;
  /** UTC offset (ms) per UTC hour: offsets change at most on the hour, and history has few distinct hours. */
  private readonly offsets = new Map<number, number>();

  constructor(readonly timeZone: string) {
    this.format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
  }

  private offsetAt(ms: number): number {
    const hourKey = Math.floor(ms / HOUR);
    let off = this.offsets.get(hourKey);
    if (off === undefined) {
      const p = Object.fromEntries(this.format.formatToParts(new Date(hourKey * HOUR)).map((x) => [x.type, x.value]));
      const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute));
      off = asUtc - hourKey * HOUR;
      this.offsets.set(hourKey, off);
    }
    return off;
  }

  /** Local date and hour (0–23) of an instant. */
  local(ms: number): { date: string; hour: number } {
    const shifted = ms + this.offsetAt(ms);
    return { date: new Date(shifted).toISOString().slice(0, 10), hour: new Date(shifted).getUTCHours() };
  }

  /** The instant a local date-hour starts (the later one when a DST change repeats it, the next hour when it skips it). */
  startOf(date: string, hour = 0): number {
    const wall = Date.parse(`${date}T00:00:00Z`) + hour * HOUR;
    let guess = wall - this.offsetAt(wall);
    guess = wall - this.offsetAt(guess);
    return guess;
  }
}
