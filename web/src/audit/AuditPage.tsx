/** The audit log: filters as the API takes them, one entry per change with before and after side by side. */
import { useEffect, useState } from 'preact/hooks';
import type { ApiMessage, ResultInfo } from '../api/client';
import { href } from '../app/routes';
import { COLLECTIONS, collectionNamed } from '../collections/collections';
import { ErrorList, errorsOf } from '../components/ErrorList';
import { Pagination } from '../components/Pagination';
import { listAudit, type AuditEntry, type AuditFilters } from './audit';
import { ChangeTable } from './ChangeTable';

const TEXT_FILTERS = [
  { name: 'resource.id', label: 'Record ID' },
  { name: 'actor.ip', label: 'Client IP' },
];

function AuditFiltersForm({ onApply }: { onApply: (filters: AuditFilters) => void }) {
  const [filters, setFilters] = useState<AuditFilters>({});
  const set = (name: string, value: string) => setFilters({ ...filters, [name]: value });
  const select = (name: string, label: string, options: { value: string; label: string }[]) => (
    <div class="field">
      <label for={`audit-${name}`}>{label}</label>
      <select id={`audit-${name}`} value={filters[name] ?? ''} onChange={(event) => set(name, event.currentTarget.value)}>
        <option value="">Any</option>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
  return (
    <form
      class="controls"
      onSubmit={(event) => {
        event.preventDefault();
        onApply(filters);
      }}
    >
      {select(
        'action.type',
        'Action',
        ['create', 'update', 'delete'].map((value) => ({ value, label: value })),
      )}
      {select(
        'resource.type',
        'Collection',
        COLLECTIONS.map(({ name, title }) => ({ value: name, label: title })),
      )}
      {TEXT_FILTERS.map(({ name, label }) => (
        <div class="field" key={name}>
          <label for={`audit-${name}`}>{label}</label>
          <input id={`audit-${name}`} value={filters[name] ?? ''} onInput={(event) => set(name, event.currentTarget.value.trim())} />
        </div>
      ))}
      {['since', 'before'].map((name) => (
        <div class="field" key={name}>
          <label for={`audit-${name}`}>{name === 'since' ? 'Since' : 'Before'}</label>
          <input id={`audit-${name}`} type="date" value={filters[name] ?? ''} onInput={(event) => set(name, event.currentTarget.value)} />
        </div>
      ))}
      {select('direction', 'Order', [
        { value: 'desc', label: 'Newest first' },
        { value: 'asc', label: 'Oldest first' },
      ])}
      <button type="submit">Apply filters</button>
    </form>
  );
}

function Entry({ account, entry, linkRecords }: { account: string; entry: AuditEntry; linkRecords: boolean }) {
  const collection = collectionNamed(entry.resource.type);
  const who = entry.metadata.token_name ?? entry.actor.email ?? entry.actor.id ?? 'unknown';
  return (
    <article class="audit-entry">
      <h2>
        {entry.action.type} {collection?.singular ?? entry.resource.type}{' '}
        {collection && linkRecords && entry.action.type !== 'delete' ? (
          <a href={href(account, collection.name, entry.resource.id)}>{entry.resource.id}</a>
        ) : (
          entry.resource.id
        )}
      </h2>
      <p class="meta">
        <time dateTime={entry.when}>{entry.when.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC')}</time> by {who}
        {entry.actor.ip ? ` from ${entry.actor.ip}` : ''}
      </p>
      <ChangeTable before={entry.oldValueJson} after={entry.newValueJson} />
    </article>
  );
}

export function AuditPage({ account, linkRecords }: { account: string; linkRecords: boolean }) {
  const [filters, setFilters] = useState<AuditFilters>({});
  const [page, setPage] = useState(1);
  const [perPage, setPerPage] = useState(20);
  const [list, setList] = useState<{ entries: AuditEntry[]; info: ResultInfo } | null>(null);
  const [errors, setErrors] = useState<ApiMessage[]>([]);
  useEffect(() => {
    listAudit(account, page, perPage, filters).then(
      (answer) => (setList(answer), setErrors([])),
      (error) => setErrors(errorsOf(error)),
    );
  }, [account, page, perPage, filters]);
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Audit log</h1>
      <AuditFiltersForm onApply={(next) => (setPage(1), setFilters(next))} />
      <ErrorList errors={errors} />
      {list && (
        <>
          {list.entries.length === 0 && <p>No entries.</p>}
          {list.entries.map((entry) => (
            <Entry key={entry.id} account={account} entry={entry} linkRecords={linkRecords} />
          ))}
          <Pagination info={list.info} onPage={setPage} onPerPage={(size) => (setPage(1), setPerPage(size))} />
        </>
      )}
    </section>
  );
}
