import { isIsoDate } from './local-time.js';

/**
 * Daily temperature per region, observed for the past and forecast for the days ahead, as
 * a weather feed delivers it: CSV (`date,region,temp_c`) or JSON (`[{date, region, tempC}]`
 * or `{days: [...]}`). Every row that cannot be used is reported with its reason; nothing is
 * ever filled in (a missing day is missing, not 0 °C).
 */

export type WeatherProblemCode = 'unreadable' | 'bad_row' | 'bad_date' | 'non_number' | 'out_of_range' | 'unknown_region' | 'duplicate' | 'missing_days';

export interface WeatherProblem {
  readonly code: WeatherProblemCode;
  readonly reason: string;
  readonly region?: string;
  readonly date?: string;
  /** 1-based line (CSV) or item (JSON) number. */
  readonly line?: number;
}

export interface WeatherTable {
  /** region → date → daily mean temperature, °C. */
  readonly temps: ReadonlyMap<string, ReadonlyMap<string, number>>;
  readonly problems: readonly WeatherProblem[];
}

/** Physically possible daily means; anything else is a unit mix-up (°F, K) or garbage. */
const MIN_C = -60;
const MAX_C = 60;
/** At most this many problems of one kind are listed one by one; the rest are counted. */
const LIST_LIMIT = 20;

interface RawRow {
  readonly line: number;
  readonly date: unknown;
  readonly region: unknown;
  readonly temp: unknown;
}

function csvRows(text: string, problems: WeatherProblem[]): RawRow[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((h) => h.trim().toLowerCase());
  const col = (names: readonly string[]): number => header.findIndex((h) => names.includes(h));
  const [iDate, iRegion, iTemp] = [col(['date']), col(['region']), col(['temp_c', 'tempc', 'temperature_c'])];
  if (iDate < 0 || iRegion < 0 || iTemp < 0) {
    problems.push({ code: 'unreadable', reason: `CSV header must name the columns date, region and temp_c (found: ${header.join(', ').slice(0, 200) || 'nothing'})` });
    return [];
  }
  const rows: RawRow[] = [];
  lines.slice(1).forEach((line, i) => {
    if (line.trim() === '') return;
    const cells = line.split(',').map((c) => c.trim());
    rows.push({ line: i + 2, date: cells[iDate], region: cells[iRegion], temp: cells[iTemp] });
  });
  return rows;
}

function jsonRows(value: unknown, problems: WeatherProblem[]): RawRow[] {
  const items = Array.isArray(value) ? value : typeof value === 'object' && value !== null && Array.isArray((value as { days?: unknown }).days) ? (value as { days: unknown[] }).days : undefined;
  if (items === undefined) {
    problems.push({ code: 'unreadable', reason: 'JSON must be a list of {date, region, tempC} or {days: [...]}' });
    return [];
  }
  return items.map((item: unknown, i) => {
    const o = typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : {};
    return { line: i + 1, date: o.date, region: o.region, temp: o.tempC ?? o.temp_c };
  });
}

/** A number written as text or JSON; '', 'NaN', 'Infinity', '12abc' and booleans are not numbers. */
function numberOf(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string' || !/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(v.trim())) return undefined;
  return Number(v);
}

/**
 * Reads a weather document (`format` from the file name or content type; JSON is sniffed by
 * its first character). `regions` are the regions forecare knows; rows of others are refused.
 */
export function parseWeather(text: string, format: 'csv' | 'json' | 'auto', regions: ReadonlySet<string>, into?: Map<string, Map<string, number>>): WeatherTable {
  const problems: WeatherProblem[] = [];
  const temps = into ?? new Map<string, Map<string, number>>();
  const kind = format === 'auto' ? (/^\s*[[{]/.test(text) ? 'json' : 'csv') : format;
  let rows: RawRow[] = [];
  if (kind === 'json') {
    try {
      rows = jsonRows(JSON.parse(text) as unknown, problems);
    } catch (err) {
      problems.push({ code: 'unreadable', reason: `not valid JSON: ${(err as Error).message}` });
    }
  } else {
    rows = csvRows(text, problems);
  }
  const unknown = new Map<string, number>();
  const seen = new Set<string>();
  const counted = new Map<WeatherProblemCode, number>();
  const report = (p: WeatherProblem): void => {
    const n = (counted.get(p.code) ?? 0) + 1;
    counted.set(p.code, n);
    if (n <= LIST_LIMIT) problems.push(p);
  };
  for (const row of rows) {
    if (typeof row.date !== 'string' || typeof row.region !== 'string' || row.region === '' || row.temp === undefined) {
      report({ code: 'bad_row', line: row.line, reason: `line ${row.line}: needs date, region and a temperature` });
      continue;
    }
    if (!isIsoDate(row.date)) {
      report({ code: 'bad_date', line: row.line, reason: `line ${row.line}: "${row.date.slice(0, 40)}" is not a date (YYYY-MM-DD)` });
      continue;
    }
    const temp = numberOf(row.temp);
    if (temp === undefined) {
      report({ code: 'non_number', line: row.line, region: row.region, date: row.date, reason: `line ${row.line}: temperature "${String(row.temp).slice(0, 40)}" for ${row.region} on ${row.date} is not a number` });
      continue;
    }
    if (temp < MIN_C || temp > MAX_C) {
      report({ code: 'out_of_range', line: row.line, region: row.region, date: row.date, reason: `line ${row.line}: ${temp} °C for ${row.region} on ${row.date} is outside ${MIN_C}…${MAX_C} °C (a unit mix-up?)` });
      continue;
    }
    if (!regions.has(row.region)) {
      unknown.set(row.region, (unknown.get(row.region) ?? 0) + 1);
      continue;
    }
    const key = `${row.region}|${row.date}`;
    if (seen.has(key)) report({ code: 'duplicate', line: row.line, region: row.region, date: row.date, reason: `line ${row.line}: a second temperature for ${row.region} on ${row.date}; the later one is used` });
    seen.add(key);
    const byDate = temps.get(row.region) ?? new Map<string, number>();
    byDate.set(row.date, temp);
    temps.set(row.region, byDate);
  }
  for (const [region, n] of unknown) {
    problems.push({ code: 'unknown_region', region: region.slice(0, 64), reason: `region "${region.slice(0, 64)}" is not a region of any customer (${n} row${n === 1 ? '' : 's'} ignored)` });
  }
  for (const [code, n] of counted) if (n > LIST_LIMIT) problems.push({ code, reason: `${n - LIST_LIMIT} more ${code} problems not listed` });
  return { temps, problems };
}

/** Consecutive runs of dates, written "2026-07-01…2026-07-03, 2026-07-09". */
export function describeDates(dates: readonly string[]): string {
  const runs: string[] = [];
  let first: string | undefined;
  let prev: string | undefined;
  const next = (d: string): string => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  for (const d of [...dates].sort()) {
    if (first !== undefined && prev !== undefined && next(prev) === d) {
      prev = d;
      continue;
    }
    if (first !== undefined && prev !== undefined) runs.push(first === prev ? first : `${first}…${prev}`);
    first = d;
    prev = d;
  }
  if (first !== undefined && prev !== undefined) runs.push(first === prev ? first : `${first}…${prev}`);
  return runs.length > 6 ? `${runs.slice(0, 6).join(', ')} and ${runs.length - 6} more` : runs.join(', ');
}

/** The dates among `needed` that a region has no temperature for, as a problem (undefined when none is missing). */
export function missingDays(table: WeatherTable, region: string, needed: readonly string[]): WeatherProblem | undefined {
  const have = table.temps.get(region);
  const missing = needed.filter((d) => have?.get(d) === undefined);
  if (missing.length === 0) return undefined;
  return { code: 'missing_days', region, reason: `no temperature for ${region} on ${describeDates(missing)}` };
}
