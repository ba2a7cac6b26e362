import type { ProcessRun, Tag } from '../api/types';
import { formatDuration } from '../lib/format';
import { Link } from './Link';
import { DeadlineBadge } from './DeadlineBadge';
import { StatusBadge } from './StatusBadge';
import { SortHeader } from './SortHeader';
import type { SortState } from '../lib/sort';
import { TagChip } from './TagChip';
import { TimeCell } from './TimeCell';

interface Props {
  runs: ProcessRun[];
  now: number;
  sort: SortState;
  onSort: (next: SortState) => void;
  onOpen: (run: ProcessRun) => void;
  onTag: (tag: Tag) => void;
  showName?: boolean;
  selected?: { name: string; id: string } | null;
}

/** The run list. Rows open the detail panel; headers sort on the server. */
export function RunTable({ runs, now, sort, onSort, onOpen, onTag, showName = true, selected }: Props) {
  return (
    <div className="table-wrap">
      <table className="table table--clickable" data-testid="run-table">
        <thead>
          <tr>
            {showName ? <SortHeader field="name" label="Name" sort={sort} onSort={onSort} /> : null}
            <th>Run ID</th>
            <SortHeader field="status" label="Status" sort={sort} onSort={onSort} />
            <th>Deadline status</th>
            <SortHeader field="started_at" label="Started" sort={sort} onSort={onSort} />
            <SortHeader field="deadline" label="Deadline" sort={sort} onSort={onSort} />
            <SortHeader field="completed_at" label="Finished" sort={sort} onSort={onSort} />
            <SortHeader field="duration" label="Duration" sort={sort} onSort={onSort} className="num" />
            <th>Tags</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => {
            const isSelected = selected?.name === run.name && selected.id === run.id;
            return (
              <tr
                key={`${run.name}/${run.id}/${run.started_at ?? ''}`}
                className={isSelected ? 'is-selected' : undefined}
                onClick={() => onOpen(run)}
                data-testid="run-row"
                data-run-name={run.name}
                data-run-id={run.id}
              >
                {showName ? (
                  <td className="nowrap">
                    <Link to={{ name: run.name }} testId="run-name-link">
                      {run.name}
                    </Link>
                  </td>
                ) : null}
                <td className="mono nowrap" data-testid="run-id">
                  {run.id}
                </td>
                <td>
                  <StatusBadge status={run.status} />
                </td>
                <td>
                  <DeadlineBadge run={run} />
                </td>
                <td>
                  <TimeCell epoch={run.started_at} now={now} />
                </td>
                <td>
                  <TimeCell epoch={run.deadline} now={now} warnIfPast={run.status === 'ACTIVE'} testId="run-deadline" />
                </td>
                <td>
                  <TimeCell epoch={run.completed_at} now={now} />
                </td>
                <td className="num nowrap">{formatDuration(run.duration)}</td>
                <td>
                  <div className="chips">
                    {run.tags.map((tag, i) => (
                      <TagChip key={`${tag.key}-${i}`} tag={tag} onClick={onTag} />
                    ))}
                  </div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
