import type { DeadlineMode, DeadlineUnit, RunFormValues } from '../lib/runForm';

interface Props {
  values: RunFormValues;
  error?: string;
  onChange: (patch: Partial<RunFormValues>) => void;
}

/** No deadline, a deadline relative to now, or an absolute local date and time. */
export function DeadlineField({ values, error, onChange }: Props) {
  return (
    <div className={error ? 'field field--error' : 'field'}>
      <span className="field__label">Deadline</span>
      <div className="row">
        <select
          className="select"
          value={values.deadlineMode}
          onChange={(e) => onChange({ deadlineMode: e.target.value as DeadlineMode })}
          data-testid="create-deadline-mode"
          aria-label="Deadline mode"
        >
          <option value="none">No deadline</option>
          <option value="in">In…</option>
          <option value="at">At…</option>
        </select>
        {values.deadlineMode === 'in' ? (
          <>
            <input
              className="input"
              type="number"
              min="1"
              style={{ width: 100 }}
              value={values.deadlineAmount}
              onChange={(e) => onChange({ deadlineAmount: e.target.value })}
              data-testid="create-deadline-amount"
              aria-label="Amount"
            />
            <select
              className="select"
              value={values.deadlineUnit}
              onChange={(e) => onChange({ deadlineUnit: e.target.value as DeadlineUnit })}
              data-testid="create-deadline-unit"
              aria-label="Unit"
            >
              <option value="minutes">minutes</option>
              <option value="hours">hours</option>
              <option value="days">days</option>
            </select>
          </>
        ) : null}
        {values.deadlineMode === 'at' ? (
          <input
            className="input"
            type="datetime-local"
            value={values.deadlineAt}
            onChange={(e) => onChange({ deadlineAt: e.target.value })}
            data-testid="create-deadline-at"
            aria-label="Deadline date and time"
          />
        ) : null}
      </div>
      {error ? <span className="field__error">{error}</span> : <span className="field__hint">Sent as epoch seconds.</span>}
    </div>
  );
}
