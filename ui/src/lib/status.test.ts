import { describe, expect, it } from 'vitest';
import { runFixture } from '../test/fixtures';
import { shownDeadlineStatus } from './status';

describe('shownDeadlineStatus', () => {
  it("keeps the server's status when it sends one", () => {
    expect(shownDeadlineStatus(runFixture({ deadline_status: 'MISSED' }))).toBe('MISSED');
  });

  it('judges a FAILED run with a deadline by when it finished', () => {
    const failed = (completed_at: number) =>
      runFixture({ status: 'FAILED', deadline_status: null, deadline: 1000, completed_at });
    expect(shownDeadlineStatus(failed(1000))).toBe('COMPLETED_ON_TIME');
    expect(shownDeadlineStatus(failed(1001))).toBe('COMPLETED_LATE');
  });

  it('is null for a run without a deadline, whatever its status', () => {
    expect(shownDeadlineStatus(runFixture({ status: 'FAILED', deadline: null, deadline_status: null, completed_at: 5 }))).toBeNull();
  });
});
