import { describe, expect, it } from 'vitest';
import { isIsoCycle, isIsoDateTime, isIsoDuration } from '../../../src/iso8601.js';

describe('ISO 8601 timer values', () => {
  it.each(['P6M', 'PT30S', 'P1DT2H', 'P2W', 'P1Y2M3DT4H5M6.5S', 'PT0.5S'])('accepts the duration %s', (value) => {
    expect(isIsoDuration(value)).toBe(true);
  });

  it.each(['P', 'PT', 'P1DT', '6 months', 'PT1.5H', '-P1D', 'p1d', '1D'])('rejects the duration %s', (value) => {
    expect(isIsoDuration(value)).toBe(false);
  });

  it.each(['2030-01-31T09:00:00Z', '2030-01-31T09:00+01:00', '2028-02-29T00:00:00.250-05:00', '2030-03-31T02:30:00+02:00[Europe/Berlin]'])(
    'accepts the zoned date-time %s',
    (value) => {
      expect(isIsoDateTime(value)).toBe(true);
    },
  );

  it.each(['2030-01-31T09:00:00', '2030-01-31', '2027-02-29T00:00:00Z', '2030-13-01T00:00:00Z', '2030-01-01T24:00:00Z'])(
    'rejects the date-time %s',
    (value) => {
      expect(isIsoDateTime(value)).toBe(false);
    },
  );

  it.each(['R/P1D', 'R5/PT10S', 'R3/2030-01-01T08:00:00Z/P1D'])('accepts the cycle %s', (value) => {
    expect(isIsoCycle(value)).toBe(true);
  });

  it.each(['P1D', 'R/1D', 'R5', 'R3/2030-02-30T08:00:00Z/P1D', '0 0 9 * * MON'])('rejects the cycle %s', (value) => {
    expect(isIsoCycle(value)).toBe(false);
  });
});
