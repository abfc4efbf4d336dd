/** Server-side paging: first, previous, next, last, and the page size. */
import type { ResultInfo } from '../api/client';

export const PAGE_SIZES = [20, 50, 100];

export function Pagination({
  info,
  onPage,
  onPerPage,
}: {
  info: ResultInfo;
  onPage: (page: number) => void;
  onPerPage: (perPage: number) => void;
}) {
  const pages = Math.max(1, Math.ceil(info.total_count / info.per_page));
  const first = info.total_count === 0 ? 0 : (info.page - 1) * info.per_page + 1;
  const last = (info.page - 1) * info.per_page + info.count;
  return (
    <nav class="pagination" aria-label="Pagination">
      <p aria-live="polite">
        {first}–{last} of {info.total_count} · page {info.page} of {pages}
      </p>
      <div class="actions">
        <button type="button" disabled={info.page <= 1} onClick={() => onPage(1)}>
          First
        </button>
        <button type="button" disabled={info.page <= 1} onClick={() => onPage(info.page - 1)}>
          Previous
        </button>
        <button type="button" disabled={info.page >= pages} onClick={() => onPage(info.page + 1)}>
          Next
        </button>
        <button type="button" disabled={info.page >= pages} onClick={() => onPage(pages)}>
          Last
        </button>
        <label>
          Per page{' '}
          <select value={info.per_page} onChange={(event) => onPerPage(Number(event.currentTarget.value))}>
            {PAGE_SIZES.map((size) => (
              <option key={size} value={size}>
                {size}
              </option>
            ))}
          </select>
        </label>
      </div>
    </nav>
  );
}
