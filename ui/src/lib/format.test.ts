import { describe, expect, it } from 'vitest';
import { formatDateTime, formatDateTimeFull, formatDuration, formatNumber, formatPercent, formatRelative, formatWindow } from './format';

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [45, '45s'],
    [59.6, '1m'],
    [60, '1m'],
    [303, '5m 3s'],
    [3600, '1h'],
    [4500, '1h 15m'],
    [4530, '1h 15m'],
    [86400 + 4 * 3600, '1d 4h'],
    [-4500, '1h 15m'],
  ])('%s s is %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it('stops at a zero middle unit instead of skipping it', () => {
    expect(formatDuration(86400 + 30)).toBe('1d');
  });

  it('shows a dash for missing values', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(undefined)).toBe('—');
    expect(formatDuration(Number.NaN)).toBe('—');
  });

  it('honours maxUnits', () => {
    expect(formatDuration(3 * 3600 + 5 * 60 + 7, 3)).toBe('3h 5m 7s');
    expect(formatDuration(3 * 3600 + 5 * 60 + 7, 1)).toBe('3h');
  });
});

describe('formatRelative', () => {
  const now = 1_752_900_000;
  it.each([
    [now + 300, 'in 5m'],
    [now - 720, '12m ago'],
    [now + 4500, 'in 1h 15m'],
    [now - 30, '30s ago'],
    [now + 90, 'in 1m'],
    [now - 3 * 86400 - 4 * 3600, '3d 4h ago'],
    [now, 'just now'],
  ])('%s is %s', (epoch, text) => {
    expect(formatRelative(epoch, now)).toBe(text);
  });

  it('shows a dash for missing values', () => {
    expect(formatRelative(null, now)).toBe('—');
  });
});

describe('dates (TZ=UTC in tests)', () => {
  const epoch = Date.UTC(2026, 6, 19, 14, 5, 9) / 1000;
  it('omits the year inside the current year and names the time zone', () => {
    expect(formatDateTime(epoch, epoch + 86400)).toBe('19 Jul, 14:05 UTC');
  });

  it('adds the year for other years', () => {
    expect(formatDateTime(epoch, Date.UTC(2027, 0, 2) / 1000)).toBe('19 Jul 2026, 14:05 UTC');
  });

  it('writes midnight as 00, not 24', () => {
    expect(formatDateTime(Date.UTC(2026, 6, 19) / 1000, epoch)).toBe('19 Jul, 00:00 UTC');
  });

  it('has a full form with seconds and zone for tooltips', () => {
    expect(formatDateTimeFull(epoch)).toBe('19 Jul 2026, 14:05:09 UTC');
  });

  it('shows a dash for missing values', () => {
    expect(formatDateTime(null)).toBe('—');
    expect(formatDateTimeFull(null)).toBe('');
  });
});

describe('numbers', () => {
  it('groups thousands', () => {
    expect(formatNumber(1234567)).toBe('1,234,567');
    expect(formatNumber(null)).toBe('—');
  });

  it('formats percentages and guards against zero totals', () => {
    expect(formatPercent(1, 4)).toBe('25%');
    expect(formatPercent(1, 300)).toBe('0.3%');
    expect(formatPercent(0, 5)).toBe('0%');
    expect(formatPercent(0, 0)).toBe('—');
  });

  it('names analytics windows', () => {
    expect([1, 24, 168, 720].map(formatWindow)).toEqual(['1 h', '24 h', '7 d', '30 d']);
  });
});
