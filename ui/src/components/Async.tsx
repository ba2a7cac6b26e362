import type { ReactNode } from 'react';
import type { Resource } from '../hooks/useResource';
import { ErrorState } from './ErrorState';
import { LoadingState } from './LoadingState';

interface Props<T> {
  resource: Resource<T>;
  children: (data: T) => ReactNode;
  loadingLabel?: string;
  errorTitle?: string;
}

/** Renders loading and error states of a resource, and its data once it is there. */
export function Async<T>({ resource, children, loadingLabel, errorTitle }: Props<T>) {
  if (resource.error) return <ErrorState error={resource.error} title={errorTitle} />;
  if (resource.loading || resource.data === null) return <LoadingState label={loadingLabel} />;
  return <>{children(resource.data)}</>;
}
