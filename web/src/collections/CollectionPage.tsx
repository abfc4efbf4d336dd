/**
 * One settings collection: search, filters, sort and server-side paging over the list endpoint; add,
 * edit and delete (with a confirmation); several selected rows deleted in one batch request. A read-only
 * session sees the same list without any control that would write.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ApiMessage, ResultInfo } from '../api/client';
import { href, navigate } from '../app/routes';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorList, errorsOf } from '../components/ErrorList';
import { Pagination } from '../components/Pagination';
import { cellText } from './cells';
import type { CollectionDef } from './collections';
import { ListControls } from './ListControls';
import { RecordDetails } from './RecordDetails';
import { RecordForm } from './RecordForm';
import { RecordTable } from './RecordTable';
import { deleteRecords, getRecord, listRecords, type ApiRecord, type ListParameters, type RecordId } from './records';

interface Props {
  account: string;
  collection: CollectionDef;
  writable: boolean;
  /** The record named by the route (`#/<account>/<collection>/<id>`), opened over the list. */
  recordId: string | null;
}

const FIRST_PAGE: ListParameters = { page: 1, per_page: 20, filters: {} };

export function CollectionPage({ account, collection, writable, recordId }: Props) {
  const [parameters, setParameters] = useState<ListParameters>(FIRST_PAGE);
  const [list, setList] = useState<{ records: ApiRecord[]; info: ResultInfo } | null>(null);
  const [errors, setErrors] = useState<ApiMessage[]>([]);
  const [selected, setSelected] = useState(new Set<RecordId>());
  const [editing, setEditing] = useState<ApiRecord | 'new' | null>(null);
  const [deleting, setDeleting] = useState<ApiRecord[] | null>(null);
  const [status, setStatus] = useState('');
  const [reloads, setReloads] = useState(0);

  useEffect(() => {
    let current = true;
    listRecords(account, collection, parameters).then(
      (answer) => current && (setList(answer), setErrors([])),
      (error) => current && setErrors(errorsOf(error)),
    );
    return () => {
      current = false;
    };
  }, [account, collection, parameters, reloads]);

  useEffect(() => {
    if (recordId === null) return;
    getRecord(account, collection, recordId).then(setEditing, (error) => setErrors(errorsOf(error)));
  }, [account, collection, recordId]);

  const update = (changes: Partial<ListParameters>) => {
    setSelected(new Set());
    setParameters({ ...parameters, page: 1, ...changes });
  };
  const sortBy = (order: string) =>
    update({ order, direction: parameters.order === order && parameters.direction !== 'desc' ? 'desc' : 'asc' });
  const select = (ids: RecordId[], on: boolean) => {
    const next = new Set(selected);
    for (const id of ids) {
      if (on) next.add(id);
      else next.delete(id);
    }
    setSelected(next);
  };
  const closeRecord = () => {
    setEditing(null);
    if (recordId !== null) navigate(href(account, collection.name));
  };
  const confirmDelete = async (records: ApiRecord[]) => {
    setDeleting(null);
    try {
      await deleteRecords(
        account,
        collection,
        records.map((record) => record.id),
      );
      setStatus(records.length === 1 ? `Deleted ${collection.singular} ${records[0].id}.` : `Deleted ${records.length} records.`);
      setSelected(new Set());
      setReloads(reloads + 1);
    } catch (error) {
      setErrors(errorsOf(error));
    }
  };
  const chosen = list?.records.filter((record) => selected.has(record.id)) ?? [];

  return (
    <section aria-labelledby="page-title">
      <div class="page-head">
        <h1 id="page-title">{collection.title}</h1>
        {writable && (
          <div class="actions">
            <button type="button" class="primary" onClick={() => setEditing('new')}>
              Add
            </button>
            {collection.multiDelete && (
              <button type="button" class="danger" disabled={chosen.length === 0} onClick={() => setDeleting(chosen)}>
                Delete selected ({chosen.length})
              </button>
            )}
          </div>
        )}
      </div>
      <ListControls
        collection={collection}
        search={parameters.search ?? ''}
        filters={parameters.filters}
        onSearch={(search) => update({ search })}
        onFilter={(name, value) => update({ filters: { ...parameters.filters, [name]: value } })}
      />
      <p class="status" role="status">
        {status}
      </p>
      <ErrorList errors={errors} />
      {list && (
        <>
          <RecordTable
            collection={collection}
            records={list.records}
            order={parameters.order}
            direction={parameters.direction}
            selected={selected}
            writable={writable}
            onSort={sortBy}
            onSelect={select}
            onOpen={(record) => setEditing(record)}
            onDelete={(record) => setDeleting([record])}
          />
          <Pagination
            info={list.info}
            onPage={(page) => (setSelected(new Set()), setParameters({ ...parameters, page }))}
            onPerPage={(per_page) => update({ per_page })}
          />
        </>
      )}
      {editing && writable && (
        <RecordForm
          account={account}
          collection={collection}
          record={editing === 'new' ? null : editing}
          onClose={closeRecord}
          onSaved={(record) => {
            closeRecord();
            if (editing === 'new') {
              // A new record may sort onto any page: search for its name so that it is in view.
              const name = cellText(record[collection.nameField]);
              setStatus(`Saved ${collection.singular} ${record.id}; the list shows the search for ${name}.`);
              update({ search: name });
            } else {
              setStatus(`Saved ${collection.singular} ${record.id}.`);
              setReloads(reloads + 1);
            }
          }}
        />
      )}
      {editing && editing !== 'new' && !writable && <RecordDetails collection={collection} record={editing} onClose={closeRecord} />}
      {deleting && (
        <ConfirmDialog
          title={deleting.length === 1 ? `Delete ${collection.singular}?` : `Delete ${deleting.length} records?`}
          message={
            deleting.length === 1
              ? `${collection.singular} ${deleting[0].id} (${cellText(deleting[0][collection.nameField])}) will be deleted.`
              : `${deleting.length} ${collection.title.toLowerCase()} records will be deleted in one batch.`
          }
          confirmLabel="Delete"
          onCancel={() => setDeleting(null)}
          onConfirm={() => void confirmDelete(deleting)}
        />
      )}
    </section>
  );
}
