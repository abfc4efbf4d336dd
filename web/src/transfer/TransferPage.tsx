/** Export the account's settings to a file, and import one (merge or replace, optionally a dry run). */
import { useState } from 'preact/hooks';
import type { ApiMessage } from '../api/client';
import { COLLECTIONS, collectionNamed } from '../collections/collections';
import { ErrorList, errorsOf } from '../components/ErrorList';
import { download, exportFile, importFile, type ImportDiff } from './transfer';

function CollectionSelect({ id, value, onChange }: { id: string; value: string; onChange: (value: string) => void }) {
  return (
    <div class="field">
      <label for={id}>Collection</label>
      <select id={id} value={value} onChange={(event) => onChange(event.currentTarget.value)}>
        <option value="">All collections</option>
        {COLLECTIONS.map(({ name, title }) => (
          <option key={name} value={name}>
            {title}
          </option>
        ))}
      </select>
    </div>
  );
}

function DiffView({ diff }: { diff: ImportDiff }) {
  const rows = Object.entries(diff.collections);
  return (
    <section aria-labelledby="import-result">
      <h2 id="import-result">{diff.dry_run ? 'Dry run: nothing was changed' : 'Imported'}</h2>
      <div class="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">Collection</th>
              <th scope="col">Created</th>
              <th scope="col">Updated</th>
              <th scope="col">Deleted</th>
              <th scope="col">Unchanged</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(([name, { counts }]) => (
              <tr key={name}>
                <th scope="row">{collectionNamed(name)?.title ?? name}</th>
                <td>{counts.create}</td>
                <td>{counts.update}</td>
                <td>{counts.delete}</td>
                <td>{counts.unchanged}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export function TransferPage({ account, writable }: { account: string; writable: boolean }) {
  const [exportResource, setExportResource] = useState('');
  const [format, setFormat] = useState<'json' | 'csv'>('json');
  const [file, setFile] = useState<File | null>(null);
  const [importResource, setImportResource] = useState('');
  const [mode, setMode] = useState('merge');
  const [dryRun, setDryRun] = useState(true);
  const [diff, setDiff] = useState<ImportDiff | null>(null);
  const [errors, setErrors] = useState<ApiMessage[]>([]);

  const runExport = async (event: Event) => {
    event.preventDefault();
    try {
      download(await exportFile(account, exportResource, format));
      setErrors([]);
    } catch (error) {
      setErrors(errorsOf(error));
    }
  };
  const runImport = async (event: Event) => {
    event.preventDefault();
    if (!file) return setErrors([{ code: 0, message: 'Choose a file to import.' }]);
    try {
      setDiff(await importFile(account, file, { resource: importResource, mode, dryRun }));
      setErrors([]);
    } catch (error) {
      setDiff(null);
      setErrors(errorsOf(error));
    }
  };
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Import / export</h1>
      <ErrorList errors={errors} />
      <form class="controls" onSubmit={(event) => void runExport(event)} aria-labelledby="export-title">
        <h2 id="export-title">Export</h2>
        <CollectionSelect id="export-resource" value={exportResource} onChange={setExportResource} />
        <div class="field">
          <label for="export-format">Format</label>
          <select id="export-format" value={format} onChange={(event) => setFormat(event.currentTarget.value as 'json' | 'csv')}>
            <option value="json">JSON</option>
            <option value="csv">CSV (one collection)</option>
          </select>
        </div>
        <button type="submit">Export</button>
      </form>
      {writable && (
        <form class="controls" onSubmit={(event) => void runImport(event)} aria-labelledby="import-title">
          <h2 id="import-title">Import</h2>
          <div class="field">
            <label for="import-file">Settings file (JSON or CSV)</label>
            <input
              id="import-file"
              type="file"
              accept=".json,.csv,application/json,text/csv"
              onChange={(event) => setFile(event.currentTarget.files?.[0] ?? null)}
            />
          </div>
          <CollectionSelect id="import-resource" value={importResource} onChange={setImportResource} />
          <div class="field">
            <label for="import-mode">Mode</label>
            <select id="import-mode" value={mode} onChange={(event) => setMode(event.currentTarget.value)}>
              <option value="merge">Merge: create what is missing, update what matches</option>
              <option value="replace">Replace: each collection in the file ends equal to it</option>
            </select>
          </div>
          <div class="field checkbox">
            <input id="import-dry-run" type="checkbox" checked={dryRun} onChange={(event) => setDryRun(event.currentTarget.checked)} />
            <label for="import-dry-run">Dry run (show the changes, make none)</label>
          </div>
          <button type="submit" class="primary">
            Import
          </button>
        </form>
      )}
      {diff && <DiffView diff={diff} />}
    </section>
  );
}
