/**
 * ISO 8601 values as Camunda 8 timers take them, checked by shape and calendar: the deploy-time
 * timer rule uses them, and the configuration (`CLOCK_START`) uses the date-time.
 */
const DURATION = 'P(?!$)(?:\\d+Y)?(?:\\d+M)?(?:\\d+W)?(?:\\d+D)?(?:T(?!$)(?:\\d+H)?(?:\\d+M)?(?:\\d+(?:\\.\\d+)?S)?)?';
const DATE =
  '(\\d{4})-(\\d{2})-(\\d{2})T(\\d{2}):(\\d{2})(?::(\\d{2})(?:\\.\\d+)?)?(?:Z|[+-](\\d{2}):(\\d{2}))(?:\\[[A-Za-z0-9_/+-]+\\])?';
const DURATION_PATTERN = new RegExp(`^${DURATION}$`);
const DATE_PATTERN = new RegExp(`^${DATE}$`);
const CYCLE_PATTERN = new RegExp(`^R\\d*/(?:(${DATE})/)?${DURATION}$`);

/** ISO 8601 duration such as P6M, PT30S, P1DT2H, P2W. */
export function isIsoDuration(value: string): boolean {
  return DURATION_PATTERN.test(value);
}

/** ISO 8601 date-time with a zone (Z, an offset, optionally a region id) that exists on the calendar. */
export function isIsoDateTime(value: string): boolean {
  const match = DATE_PATTERN.exec(value);
  if (!match) return false;
  const [year, month, day, hour, minute, second = '0', offsetHours = '0', offsetMinutes = '0'] = match
    .slice(1)
    .map((part) => part ?? '0');
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  // Date.UTC rolls 2025-02-30 over into March: a calendar date is real when nothing rolled.
  const dayExists = date.getUTCMonth() === Number(month) - 1 && date.getUTCDate() === Number(day);
  return (
    dayExists &&
    Number(hour) < 24 &&
    Number(minute) < 60 &&
    Number(second) < 60 &&
    Number(offsetHours) <= 18 &&
    Number(offsetMinutes) < 60
  );
}

/** ISO 8601 repeating interval: R/P1D, R5/PT10S, R3/2025-01-01T08:00:00Z/P1D. */
export function isIsoCycle(value: string): boolean {
  const match = CYCLE_PATTERN.exec(value);
  return match !== null && (match[1] === undefined || isIsoDateTime(match[1]));
}
