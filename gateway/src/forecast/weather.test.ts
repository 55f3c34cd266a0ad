import { describe, expect, it } from 'vitest';
import { describeDates, missingDays, parseWeather } from './weather.js';

const regions = new Set(['East', 'North']);

describe('weather input', () => {
  it('reads CSV with a BOM, CRLF line ends and columns in any order', () => {
    const t = parseWeather('\uFEFFregion,temp_c,date\r\nEast,31.5,2026-07-01\r\nNorth,-3,2026-07-01\r\n', 'csv', regions);
    expect(t.problems).toEqual([]);
    expect(t.temps.get('East')?.get('2026-07-01')).toBe(31.5);
    expect(t.temps.get('North')?.get('2026-07-01')).toBe(-3);
  });

  it('reads JSON as a list or as {days}', () => {
    expect(parseWeather('[{"date":"2026-07-01","region":"East","tempC":30}]', 'auto', regions).temps.get('East')?.get('2026-07-01')).toBe(30);
    expect(parseWeather('{"days":[{"date":"2026-07-01","region":"East","temp_c":"29.5"}]}', 'json', regions).temps.get('East')?.get('2026-07-01')).toBe(29.5);
  });

  it('refuses what is not a number, with the line and the reason, and never stores a zero for it', () => {
    const csv = ['date,region,temp_c', '2026-07-01,East,hot', '2026-07-02,East,', '2026-07-03,East,NaN', '2026-07-04,East,Infinity', '2026-07-05,East,12abc', '2026-07-06,East,0x1F', '2026-07-07,East,1e999'].join('\n');
    const t = parseWeather(csv, 'csv', regions);
    expect(t.temps.get('East')).toBeUndefined();
    expect(t.problems.filter((p) => p.code === 'non_number').map((p) => p.line)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(t.problems.find((p) => p.line === 2)?.reason).toContain('"hot" for East on 2026-07-01 is not a number');
    // 1e999 reads as Infinity: outside any weather.
    expect(t.problems.find((p) => p.line === 8)?.code).toBe('out_of_range');
  });

  it('refuses JSON temperatures of the wrong type', () => {
    const t = parseWeather('[{"date":"2026-07-01","region":"East","tempC":true},{"date":"2026-07-02","region":"East","tempC":null},{"date":"2026-07-03","region":"East"},{"date":20260704,"region":"East","tempC":3},"x"]', 'json', regions);
    expect(t.temps.size).toBe(0);
    expect(t.problems.map((p) => p.code)).toEqual(['non_number', 'bad_row', 'bad_row', 'bad_row', 'bad_row']);
  });

  it('names a region no customer lives in, once, with the rows it ignored', () => {
    const t = parseWeather('date,region,temp_c\n2026-07-01,Atlantis,20\n2026-07-02,Atlantis,21\n2026-07-01,__proto__,5\n2026-07-01,East,30', 'csv', regions);
    expect(t.problems.filter((p) => p.code === 'unknown_region').map((p) => p.reason)).toEqual([
      'region "Atlantis" is not a region of any customer (2 rows ignored)',
      'region "__proto__" is not a region of any customer (1 row ignored)',
    ]);
    expect(t.temps.get('East')?.size).toBe(1);
  });

  it('refuses impossible dates, temperatures in the wrong unit and reports duplicates', () => {
    const t = parseWeather('date,region,temp_c\n2026-02-30,East,10\n2026/07/01,East,10\n2026-07-01,East,95\n2026-07-02,East,20\n2026-07-02,East,21', 'csv', regions);
    expect(t.problems.map((p) => p.code)).toEqual(['bad_date', 'bad_date', 'out_of_range', 'duplicate']);
    expect(t.temps.get('East')?.get('2026-07-02')).toBe(21);
  });

  it('lists at most 20 problems of a kind and counts the rest', () => {
    const lines = ['date,region,temp_c', ...Array.from({ length: 500 }, (_, i) => `2026-07-01,East,x${i}`)];
    const t = parseWeather(lines.join('\n'), 'csv', regions);
    expect(t.problems).toHaveLength(21);
    expect(t.problems[20]?.reason).toBe('480 more non_number problems not listed');
  });

  it('says what is unreadable: no header, not JSON', () => {
    expect(parseWeather('East;31;2026-07-01', 'csv', regions).problems[0]?.code).toBe('unreadable');
    expect(parseWeather('{"days": [', 'json', regions).problems[0]?.reason).toMatch(/^not valid JSON/);
    expect(parseWeather('{"weather": 1}', 'json', regions).problems[0]?.code).toBe('unreadable');
  });

  it('reports missing days of a region as date runs', () => {
    const t = parseWeather('date,region,temp_c\n2026-07-01,East,30\n2026-07-04,East,31', 'csv', regions);
    const p = missingDays(t, 'East', ['2026-07-01', '2026-07-02', '2026-07-03', '2026-07-04', '2026-07-05']);
    expect(p).toEqual({ code: 'missing_days', region: 'East', reason: 'no temperature for East on 2026-07-02…2026-07-03, 2026-07-05' });
    expect(missingDays(t, 'North', ['2026-07-01'])?.reason).toBe('no temperature for North on 2026-07-01');
    expect(missingDays(t, 'East', ['2026-07-01', '2026-07-04'])).toBeUndefined();
    expect(describeDates(['2026-01-01', '2026-01-03', '2026-01-05', '2026-01-07', '2026-01-09', '2026-01-11', '2026-01-13', '2026-01-15'])).toBe('2026-01-01, 2026-01-03, 2026-01-05, 2026-01-07, 2026-01-09, 2026-01-11 and 2 more');
  });
});
