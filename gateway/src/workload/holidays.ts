import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GatewayError } from '../errors.js';
import { CalendarError, parseHolidayFile, type HolidayCalendar } from '../forecast/calendar.js';

/** The holiday files shipped with the gateway (gateway/holidays), beside src/ and dist/ alike. */
export const shippedHolidaysDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'holidays');

/**
 * The holiday calendar of `country` from `{dir}/{country}.json`; undefined without a country.
 * A missing or malformed file is a configuration error, reported at start.
 */
export function loadHolidayCalendar(country: string, dir: string = shippedHolidaysDir): HolidayCalendar | undefined {
  try {
    return readCalendar(country, dir);
  } catch (err) {
    if (err instanceof CalendarError) throw new GatewayError('GW_ERR_CONFIG_INVALID', `FORECARE_HOLIDAY_COUNTRY / FORECARE_HOLIDAYS_DIR: ${err.message}`);
    throw err;
  }
}

function readCalendar(country: string, dir: string): HolidayCalendar | undefined {
  if (country === '') return undefined;
  if (!/^[A-Z]{2}(-[A-Z0-9]{1,3})?$/.test(country)) throw new CalendarError(`holiday country "${country}" is not an ISO 3166 code such as CN or DE`);
  const file = join(dir, `${country}.json`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CalendarError(`no holiday file for ${country}: ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new CalendarError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  const calendar = parseHolidayFile(json, file);
  if (calendar.country !== country) throw new CalendarError(`${file} describes ${calendar.country}, not ${country}`);
  return calendar;
}
