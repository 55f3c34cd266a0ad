/**
 * A household's local time: its calendar day and the next time its clock shows a given hour,
 * for food digests sent at the hour the customer chose in their own time zone. Pure: the
 * time zone rules come from the runtime's ICU data (Intl), the time from the caller.
 */

const formats = new Map<string, Intl.DateTimeFormat>();
const MINUTE = 60_000;
const DAY = 86_400_000;

/** Whether the runtime knows the IANA time zone `timeZone`. */
export function knownTimeZone(timeZone: string): boolean {
  try {
    format(timeZone);
    return true;
  } catch {
    return false;
  }
}

function format(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (f === undefined) {
    // Throws a RangeError for a zone the runtime does not know (callers check with knownTimeZone first).
    f = new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formats.set(timeZone, f);
  }
  return f;
}

interface Local {
  y: number;
  m: number;
  d: number;
  h: number;
  min: number;
}

function local(at: number, timeZone: string): Local {
  const v: Record<string, number> = {};
  for (const p of format(timeZone).formatToParts(at)) if (p.type !== 'literal') v[p.type] = Number(p.value);
  return { y: v.year ?? 1970, m: v.month ?? 1, d: v.day ?? 1, h: v.hour ?? 0, min: v.minute ?? 0 };
}

/** How far the zone's clock is ahead of UTC at `at` (minutes precision). */
function offsetAt(at: number, timeZone: string): number {
  const l = local(at, timeZone);
  return Date.UTC(l.y, l.m - 1, l.d, l.h, l.min) - (at - (at % MINUTE));
}

/** The household's calendar day at `at`, `YYYY-MM-DD`. */
export function localDay(at: number, timeZone: string): string {
  const l = local(at, timeZone);
  return `${String(l.y).padStart(4, '0')}-${String(l.m).padStart(2, '0')}-${String(l.d).padStart(2, '0')}`;
}

/** `HH:MM` as minutes after midnight; undefined when it is not a time of day. */
export function minuteOfDay(text: string): number | undefined {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  return m === null ? undefined : Number(m[1]) * 60 + Number(m[2]);
}

/**
 * The first instant after `after` at which the zone's clock shows `minute` minutes past
 * midnight. On a day a clock change skips that time, the instant it would have been.
 */
export function nextLocalTime(after: number, timeZone: string, minute: number): number {
  const l = local(after, timeZone);
  let wall = Date.UTC(l.y, l.m - 1, l.d) + minute * MINUTE;
  for (let i = 0; i < 4; i++) {
    // The offset at the guess, taken twice: once near `after`, once at the guess itself (a clock change between).
    const guess = wall - offsetAt(wall - offsetAt(after, timeZone), timeZone);
    if (guess > after) return guess;
    wall += DAY;
  }
  return after + DAY;
}
