/**
 * Calendar dates (release dates, deadlines) are ISO strings `YYYY-MM-DD`, never Date objects:
 * pg and PGlite would turn a `date` column into a local-midnight Date and shift it by time zone.
 * Queries select dates as `::text`.
 */
import { DomainError } from './errors.js';

/** A calendar date `YYYY-MM-DD`. */
export type IsoDate = string;

/** The product's calendar: deadlines fall due by the German date, whatever the server's zone. */
export const TIME_ZONE = 'Europe/Berlin';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

const berlinDate = new Intl.DateTimeFormat('en-CA', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** Checks that `value` is a real calendar date `YYYY-MM-DD` and returns it. */
export function parseIsoDate(value: unknown, field = 'date'): IsoDate {
  const match = typeof value === 'string' ? ISO_DATE.exec(value) : null;
  if (match) {
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const probe = new Date(Date.UTC(year, month - 1, day));
    if (probe.getUTCFullYear() === year && probe.getUTCMonth() === month - 1 && probe.getUTCDate() === day) {
      return value as IsoDate;
    }
  }
  throw new DomainError('INVALID_DATE', `${field} must be a calendar date YYYY-MM-DD`);
}

/** The calendar date of `instant` in {@link TIME_ZONE}. */
export function toIsoDate(instant: Date): IsoDate {
  return berlinDate.format(instant);
}

/**
 * Adds `months` (negative: subtracts) as PostgreSQL does: the day is kept, or clamped to the
 * last day of a shorter month (31 Aug − 6 months = 29 Feb in a leap year).
 */
export function addMonths(date: IsoDate, months: number): IsoDate {
  const [year, month, day] = date.split('-').map(Number);
  const target = year * 12 + (month - 1) + months;
  const targetYear = Math.floor(target / 12);
  const targetMonth = target - targetYear * 12;
  const lastDay = new Date(Date.UTC(targetYear, targetMonth + 1, 0)).getUTCDate();
  return format(targetYear, targetMonth + 1, Math.min(day, lastDay));
}

/** Adds `days` (negative: subtracts). */
export function addDays(date: IsoDate, days: number): IsoDate {
  const probe = new Date(`${date}T00:00:00Z`);
  probe.setUTCDate(probe.getUTCDate() + days);
  return probe.toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (negative when `to` lies before `from`). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

function format(year: number, month: number, day: number): IsoDate {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
