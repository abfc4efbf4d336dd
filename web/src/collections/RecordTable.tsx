/** The records of one page: sortable column headers, row selection, and each row's actions. */
import type { CollectionDef } from './collections';
import { cellText } from './cells';
import type { ApiRecord, RecordId } from './records';

interface Props {
  collection: CollectionDef;
  records: ApiRecord[];
  order?: string;
  direction?: 'asc' | 'desc';
  selected: Set<RecordId>;
  writable: boolean;
  onSort: (order: string) => void;
  onSelect: (ids: RecordId[], on: boolean) => void;
  onOpen: (record: ApiRecord) => void;
  onDelete: (record: ApiRecord) => void;
}

export function RecordTable(props: Props) {
  const { collection, records, order, direction, selected, writable } = props;
  const selectable = writable && collection.multiDelete !== null;
  const allSelected = records.length > 0 && records.every((record) => selected.has(record.id));
  return (
    <div class="table-scroll">
      <table>
        <caption class="visually-hidden">{collection.title}</caption>
        <thead>
          <tr>
            {selectable && (
              <th scope="col">
                <input
                  type="checkbox"
                  aria-label="Select all on this page"
                  checked={allSelected}
                  onChange={(event) =>
                    props.onSelect(
                      records.map((record) => record.id),
                      event.currentTarget.checked,
                    )
                  }
                />
              </th>
            )}
            <th scope="col">ID</th>
            {collection.columns.map((column) => {
              const sorted = column.sort && column.sort === order;
              return (
                <th
                  scope="col"
                  key={column.key}
                  aria-sort={sorted ? (direction === 'desc' ? 'descending' : 'ascending') : column.sort ? 'none' : undefined}
                >
                  {column.sort ? (
                    <button type="button" class="sort" onClick={() => props.onSort(column.sort!)}>
                      {column.label}
                      <span aria-hidden="true">{sorted ? (direction === 'desc' ? ' ▼' : ' ▲') : ' ↕'}</span>
                    </button>
                  ) : (
                    column.label
                  )}
                </th>
              );
            })}
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {records.length === 0 && (
            <tr>
              <td colSpan={collection.columns.length + 3}>No records.</td>
            </tr>
          )}
          {records.map((record) => {
            const name = cellText(record[collection.nameField] ?? record.id);
            return (
              <tr key={record.id}>
                {selectable && (
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Select ${name}`}
                      checked={selected.has(record.id)}
                      onChange={(event) => props.onSelect([record.id], event.currentTarget.checked)}
                    />
                  </td>
                )}
                <td>{record.id}</td>
                {collection.columns.map((column) => (
                  <td key={column.key}>{cellText(record[column.key])}</td>
                ))}
                <td class="row-actions">
                  <button type="button" aria-label={`${writable ? 'Edit' : 'View'} ${name}`} onClick={() => props.onOpen(record)}>
                    {writable ? 'Edit' : 'View'}
                  </button>
                  {writable && (
                    <button type="button" class="danger" aria-label={`Delete ${name}`} onClick={() => props.onDelete(record)}>
                      Delete
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
