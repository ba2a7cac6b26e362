import { describe, expect, it } from 'vitest';
import { asDeadlineStatus, asRunStatus } from './types';

describe('status filters from the URL', () => {
  it('are read as the server reads them', () => {
    expect(asRunStatus('failed')).toBe('FAILED');
    expect(asDeadlineStatus(' on-track ')).toBe('ON_TRACK');
  });

  it('drop what is no status', () => {
    expect(asRunStatus(undefined)).toBeUndefined();
    expect(asRunStatus('')).toBeUndefined();
    expect(asRunStatus('stopped')).toBeUndefined();
    expect(asDeadlineStatus('ACTIVE')).toBeUndefined();
  });
});
