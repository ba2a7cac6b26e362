import type { Tag, TagImpactEntry } from '../api/types';
import { formatDuration, formatNumber, formatPercent } from '../lib/format';
import { TagChip } from './TagChip';

interface Props {
  entries: TagImpactEntry[];
  onTag?: (tag: Tag) => void;
}

/** Per-tag outcome counts and latency percentiles from GET /analytics/tags. */
export function TagImpactTable({ entries, onTag }: Props) {
  const maxRate = Math.max(0.0001, ...entries.map((e) => (e.total ? e.problems / e.total : 0)));
  return (
    <div className="table-wrap">
      <table className="table" data-testid="tag-impact-table">
        <thead>
          <tr>
            <th>Tag</th>
            <th className="num">Runs</th>
            <th className="num">Overdue</th>
            <th className="num">Late</th>
            <th className="num">Failed</th>
            <th className="num">On track</th>
            <th className="num">On time</th>
            <th>Problem rate</th>
            <th className="num">p50</th>
            <th className="num">p90</th>
            <th className="num">p99</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => {
            const rate = e.total ? e.problems / e.total : 0;
            return (
              <tr key={`${e.key}=${e.value}`} data-testid="tag-impact-row" data-tag={`${e.key}:${e.value}`}>
                <td>
                  <TagChip tag={{ key: e.key, value: e.value }} onClick={onTag} />
                </td>
                <td className="num">{formatNumber(e.total)}</td>
                <td className="num">{formatNumber(e.overdue)}</td>
                <td className="num">{formatNumber(e.completed_late)}</td>
                <td className="num">{formatNumber(e.failed)}</td>
                <td className="num">{formatNumber(e.on_track)}</td>
                <td className="num">{formatNumber(e.completed_on_time)}</td>
                <td>
                  <span className="bar-inline" style={{ width: `${Math.round((rate / maxRate) * 60)}px` }} />{' '}
                  {formatPercent(e.problems, e.total)}
                </td>
                <td className="num" data-testid="tag-p50">{formatDuration(e.duration?.p50_seconds)}</td>
                <td className="num" data-testid="tag-p90">{formatDuration(e.duration?.p90_seconds)}</td>
                <td className="num" data-testid="tag-p99">{formatDuration(e.duration?.p99_seconds)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
