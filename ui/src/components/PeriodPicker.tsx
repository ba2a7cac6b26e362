import { WINDOW_CHOICES } from '../lib/nav';

interface Props {
  hours: number;
  onChange: (hours: number) => void;
}

/** 1 h, 24 h, 7 d, 30 d: the analytics window (window_hours 1, 24, 168, 720). */
export function PeriodPicker({ hours, onChange }: Props) {
  return (
    <div className="segmented" role="group" aria-label="Period" data-testid="period-picker">
      {WINDOW_CHOICES.map((choice) => (
        <button
          key={choice.hours}
          type="button"
          className={choice.hours === hours ? 'segmented__btn segmented__btn--active' : 'segmented__btn'}
          aria-pressed={choice.hours === hours}
          onClick={() => onChange(choice.hours)}
          data-testid={`period-${choice.hours}`}
        >
          {choice.label}
        </button>
      ))}
    </div>
  );
}
