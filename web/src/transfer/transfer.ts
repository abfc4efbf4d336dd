/** The import/export endpoints: `GET .../email-security/export` and `POST .../email-security/import`. */
import { accountPath, query, request, send } from '../api/client';

export interface ImportCounts {
  create: number;
  update: number;
  delete: number;
  unchanged: number;
}

export interface ImportDiff {
  mode: 'merge' | 'replace';
  dry_run: boolean;
  counts: ImportCounts;
  collections: Record<string, { counts: ImportCounts }>;
}

/** The export as a file: every collection as JSON, or one collection as JSON or CSV. */
export async function exportFile(account: string, resource: string, format: 'json' | 'csv'): Promise<File> {
  const path = accountPath(account, `/email-security/export${query({ resource, format: format === 'csv' ? 'csv' : undefined })}`);
  const response = await send('GET', path);
  const name = `mailwarden-${account}${resource ? `-${resource}` : ''}.${format}`;
  return new File([await response.blob()], name, { type: format === 'csv' ? 'text/csv' : 'application/json' });
}

export async function importFile(account: string, file: File, options: { resource: string; mode: string; dryRun: boolean }) {
  const csv = file.name.toLowerCase().endsWith('.csv') || file.type === 'text/csv';
  const path = accountPath(
    account,
    `/email-security/import${query({ resource: options.resource, mode: options.mode, dry_run: options.dryRun })}`,
  );
  return (await request<ImportDiff>('POST', path, await file.text(), { contentType: csv ? 'text/csv' : 'application/json' })).result;
}

/** Hands a file to the browser's download. */
export function download(file: File): void {
  const url = URL.createObjectURL(file);
  const link = document.createElement('a');
  link.href = url;
  link.download = file.name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
