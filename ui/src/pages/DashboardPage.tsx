import { api } from '../api/client';
import type { Tag } from '../api/types';
import { Async } from '../components/Async';
import { ImpactedTags } from '../components/ImpactedTags';
import { RunList } from '../components/RunList';
import { SummaryCards } from '../components/SummaryCards';
import { useNav } from '../hooks/useNav';
import { useResource } from '../hooks/useResource';
import { formatRelative, nowSeconds } from '../lib/format';
import { addTagToFilter } from '../lib/tags';

export function DashboardPage() {
  const nav = useNav();
  const summary = useResource('summary', (signal) => api.summary(signal));
  const onTag = (tag: Tag) => nav.update({ tags: addTagToFilter(nav.params.tags ?? '', tag), offset: null });

  return (
    <div className="main" data-testid="page-dashboard">
      <div className="page-head">
        <div>
          <h1>Dashboard</h1>
          <div className="page-head__sub">
            Every run and its deadline, across all process names
            {summary.data?.generated_at ? ` · updated ${formatRelative(summary.data.generated_at, nowSeconds())}` : ''}
          </div>
        </div>
      </div>
      <Async resource={summary} loadingLabel="Loading counts…">
        {(data) => <SummaryCards summary={data} />}
      </Async>
      <ImpactedTags onTag={onTag} />
      <RunList title="Runs" />
    </div>
  );
}
