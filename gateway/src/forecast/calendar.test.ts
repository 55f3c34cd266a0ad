import { describe, expect, it } from 'vitest';
import { loadHolidayCalendar } from '../workload/holidays.js';
import { dayKind, parseHolidayFile } from './calendar.js';

describe('holiday calendars', () => {
  it('ships China with its make-up working days, and Germany with regional days', () => {
    const cn = loadHolidayCalendar('CN');
    expect(dayKind(cn, '2025-10-01').holiday).toMatch(/National Day/);
    expect(dayKind(cn, '2026-02-17').holiday).toMatch(/Spring Festival/);
    // Sunday 2025-09-28 is worked for the National Day week.
    expect(dayKind(cn, '2025-09-28')).toEqual({ holiday: undefined, workday: true, covered: true });
    expect(dayKind(cn, '2025-07-15')).toEqual({ holiday: undefined, workday: false, covered: true });
    const de = loadHolidayCalendar('DE');
    expect(dayKind(de, '2026-04-03').holiday).toMatch(/Good Friday/);
    expect(dayKind(de, '2026-01-06', 'BY').holiday).toMatch(/Epiphany/);
    expect(dayKind(de, '2026-01-06', 'HH').holiday).toBeUndefined();
    expect(dayKind(de, '2026-01-06').holiday).toBeUndefined();
  });

  it('knows what it does not know: a year outside the file is not covered, no holidays assumed', () => {
    expect(dayKind(loadHolidayCalendar('CN'), '2031-10-01')).toEqual({ holiday: undefined, workday: false, covered: false });
    expect(dayKind(undefined, '2026-10-01').covered).toBe(false);
    expect(loadHolidayCalendar('')).toBeUndefined();
  });

  it('refuses a bad country, a missing file and malformed entries with the reason', () => {
    expect(() => loadHolidayCalendar('../etc/passwd')).toThrow(expect.objectContaining({ code: 'GW_ERR_CONFIG_INVALID' }));
    expect(() => loadHolidayCalendar('ZZ')).toThrow(/no holiday file for ZZ/);
    expect(() => parseHolidayFile({ country: 'CN', years: [2026], holidays: [{ date: '2026-02-30', name: 'x' }] }, 'f')).toThrow('f: holidays[0] needs a real date (YYYY-MM-DD) and a name');
    expect(() => parseHolidayFile({ country: 'CN', years: [2026], holidays: [{ date: '2027-01-01', name: 'x' }] }, 'f')).toThrow(/outside the years/);
    expect(() => parseHolidayFile({ country: 'CN', years: [] }, 'f')).toThrow(/years must list/);
    expect(() => parseHolidayFile({ country: 'DE', years: [2026], regional: [{ date: '2026-01-06', name: 'x', regions: [] }] }, 'f')).toThrow(/needs a list of regions/);
    expect(() => parseHolidayFile([], 'f')).toThrow(/not a JSON object/);
  });
});
