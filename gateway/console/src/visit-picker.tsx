import { fmtCalendarDay, fmtClock, t, todayIn } from './i18n.js';

/** Days offered for a visit, from today on the customer's clock: a past day cannot be picked. */
const DAYS = 60;
/** Visit times offered, on the half hour. */
const FIRST_HOUR = 6;
const LAST_HOUR = 22;

export interface Visit { date: string; from: string; to: string }

function addDays(ymd: string, n: number): string {
  const d = new Date(`${ymd}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

const TIMES = Array.from({ length: (LAST_HOUR - FIRST_HOUR) * 2 + 1 }, (_, i) => `${String(FIRST_HOUR + Math.floor(i / 2)).padStart(2, '0')}:${i % 2 === 0 ? '00' : '30'}`);

/**
 * A visit's day and times in the customer's time zone, written the way the user's language
 * writes dates and times. Native date and time inputs follow the browser's language, not the
 * one the user chose here (a Chinese page in an English browser showed 12/10/2026 and AM/PM),
 * so these are lists: their values stay YYYY-MM-DD and HH:MM, as the API takes them.
 */
export function VisitPicker({ timeZone, value, onChange }: { timeZone: string | undefined; value: Partial<Visit>; onChange: (v: Partial<Visit>) => void }) {
  const today = todayIn(timeZone);
  const days = Array.from({ length: DAYS }, (_, i) => addDays(today, i));
  const set = (k: keyof Visit) => (e: { currentTarget: HTMLSelectElement }) => onChange({ ...value, [k]: e.currentTarget.value });
  return (
    <>
      <label>
        {t('Visit date')}
        <select name="visit-date" value={value.date ?? ''} onChange={set('date')}>
          <option value="">—</option>
          {days.map((d) => (
            <option key={d} value={d}>
              {fmtCalendarDay(d)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('From')}
        <select name="visit-from" value={value.from ?? ''} onChange={set('from')}>
          <option value="">—</option>
          {TIMES.slice(0, -1).map((x) => (
            <option key={x} value={x}>
              {fmtClock(x)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('To')}
        <select name="visit-to" value={value.to ?? ''} onChange={set('to')}>
          <option value="">—</option>
          {TIMES.filter((x) => value.from === undefined || value.from === '' || x > value.from).map((x) => (
            <option key={x} value={x}>
              {fmtClock(x)}
            </option>
          ))}
        </select>
      </label>
    </>
  );
}
