import { isIsoDate } from './local-time.js';

/**
 * Public holidays of one country, read from a data file (gateway/holidays/{CC}.json): the days
 * off, the weekend days that are working days instead (China's 调休), and regional days that
 * apply only where a region's name is listed. Parsing is strict: a file with a bad date is
 * refused with its reason rather than half used.
 */
export interface HolidayDay {
  readonly date: string;
  readonly name: string;
}

export interface RegionalHoliday extends HolidayDay {
  readonly regions: readonly string[];
}

export interface HolidayCalendar {
  readonly country: string;
  readonly name: string;
  readonly years: readonly number[];
  readonly holidays: readonly HolidayDay[];
  readonly workdays: readonly HolidayDay[];
  readonly regional: readonly RegionalHoliday[];
}

export class CalendarError extends Error {
  override readonly name = 'CalendarError';
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function days(v: unknown, field: string, where: string, regional: boolean): HolidayDay[] | RegionalHoliday[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new CalendarError(`${where}: ${field} must be a list`);
  return v.map((item: unknown, i) => {
    if (!isRecord(item) || typeof item.date !== 'string' || !isIsoDate(item.date) || typeof item.name !== 'string' || item.name === '') {
      throw new CalendarError(`${where}: ${field}[${i}] needs a real date (YYYY-MM-DD) and a name`);
    }
    if (!regional) return { date: item.date, name: item.name };
    if (!Array.isArray(item.regions) || item.regions.length === 0 || !item.regions.every((r): r is string => typeof r === 'string' && r !== '')) {
      throw new CalendarError(`${where}: ${field}[${i}] needs a list of regions`);
    }
    return { date: item.date, name: item.name, regions: item.regions };
  });
}

/** A holiday file's JSON, checked. `where` names the file in error messages. */
export function parseHolidayFile(json: unknown, where: string): HolidayCalendar {
  if (!isRecord(json)) throw new CalendarError(`${where}: not a JSON object`);
  const { country, name, years } = json;
  if (typeof country !== 'string' || !/^[A-Z]{2}(-[A-Z0-9]{1,3})?$/.test(country)) throw new CalendarError(`${where}: country must be an ISO 3166 code such as CN or DE-BY`);
  if (!Array.isArray(years) || years.length === 0 || !years.every((y): y is number => Number.isInteger(y) && y >= 1970 && y <= 2200)) {
    throw new CalendarError(`${where}: years must list the years the file covers`);
  }
  const calendar: HolidayCalendar = {
    country,
    name: typeof name === 'string' ? name : country,
    years,
    holidays: days(json.holidays, 'holidays', where, false),
    workdays: days(json.workdays, 'workdays', where, false),
    regional: days(json.regional, 'regional', where, true) as RegionalHoliday[],
  };
  for (const d of [...calendar.holidays, ...calendar.workdays, ...calendar.regional]) {
    if (!years.includes(Number(d.date.slice(0, 4)))) throw new CalendarError(`${where}: ${d.date} lies outside the years the file covers (${years.join(', ')})`);
  }
  return calendar;
}

export interface DayKind {
  /** The holiday's name when the day is off in that region. */
  readonly holiday: string | undefined;
  /** A weekend day worked instead of a holiday (调休). */
  readonly workday: boolean;
  /** False when the calendar does not cover the date's year: nothing is known, nothing assumed. */
  readonly covered: boolean;
}

/** What kind of day a date is in a region (undefined region = the whole country). */
export function dayKind(calendar: HolidayCalendar | undefined, date: string, region?: string): DayKind {
  if (calendar === undefined) return { holiday: undefined, workday: false, covered: false };
  const covered = calendar.years.includes(Number(date.slice(0, 4)));
  const national = calendar.holidays.find((h) => h.date === date);
  const regional = region === undefined ? undefined : calendar.regional.find((h) => h.date === date && h.regions.includes(region));
  return { holiday: (national ?? regional)?.name, workday: calendar.workdays.some((w) => w.date === date), covered };
}
