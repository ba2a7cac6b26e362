export function LoadingState({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="state" data-testid="loading" role="status" aria-live="polite">
      <div className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}
