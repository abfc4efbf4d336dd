/**
 * `mailwarden export` and `mailwarden import`: an account's settings out of and into the DATABASE_URL
 * store directly (no server needed; a running PostgreSQL server hears of an import as of any write).
 * Files are the ones the HTTP export/import endpoints speak: the JSON document, or a dashboard CSV.
 */
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { Option, type Command } from 'commander';
import { ApiError } from '../http/errors.js';
import { COLLECTION_NAMES } from '../transfer/collections.js';
import type { ImportDiff } from '../transfer/diff.js';
import { exportCsv, exportJson } from '../transfer/exporter.js';
import type { ImportSource } from '../transfer/importer.js';
import { sourceFromCsv, sourceFromJson } from '../transfer/sources.js';
import { diffTable } from './diff-table.js';
import { cliContext, localStore } from './local-store.js';
import { accountId, command, consoleOutput as out, UsageError, withStore } from './output.js';

export const resourceOption = () => new Option('--resource <name>', 'one collection').choices(COLLECTION_NAMES);

/** An API error (a bad row, say) as lines a user can act on. */
export function describeApiError(error: unknown, file?: string): never {
  if (error instanceof ApiError) {
    const where = file ? `${file}: ` : '';
    throw new Error(error.errors.map((e) => `${where}${e.source?.pointer ? `${e.source.pointer}: ` : ''}${e.message}`).join('\n'));
  }
  throw error;
}

export function printDiff(diff: ImportDiff, json: boolean): void {
  out.result(json ? JSON.stringify(diff, null, 2) : diffTable(diff));
}

export function exportCommand(): Command {
  return command('export')
    .description("write an account's settings: every collection as JSON, or one collection as dashboard CSV")
    .requiredOption('--account <id>', 'the account (32 hexadecimal characters)')
    .addOption(new Option('--format <format>', 'json (every collection) or csv (one --resource)').choices(['json', 'csv']).default('json'))
    .addOption(resourceOption())
    .option('--output <file>', 'write to this file instead of stdout')
    .action(async (options: { account: string; format: 'json' | 'csv'; resource?: string; output?: string }) => {
      const account = accountId(options.account, 'export');
      if (options.format === 'csv' && !options.resource) throw new UsageError('export --format csv needs --resource NAME');
      await withStore(async (database) => {
        const { services } = localStore(database);
        const chosen = options.resource ? services.filter((service) => service.definition.name === options.resource) : services;
        const stream = options.format === 'csv' ? exportCsv(database, chosen[0], account) : exportJson(database, chosen, account);
        await pipeline(stream, options.output ? createWriteStream(options.output) : process.stdout, { end: Boolean(options.output) });
      });
      if (options.output) out.info(`Exported to ${options.output}`);
    });
}

/** A file as an import source: CSV when it says so (extension, or --resource and no JSON start), else JSON. */
export async function readSource(file: string, resource: string | undefined): Promise<ImportSource> {
  const text = await readFile(file, 'utf8');
  const start = text.replace(/^\uFEFF/, '').trimStart()[0];
  const csv = file.toLowerCase().endsWith('.csv') || (resource !== undefined && start !== '{' && start !== '[');
  try {
    if (csv) {
      if (!resource) throw new UsageError(`${file}: a CSV file holds one collection: name it with --resource`);
      return sourceFromCsv(text, resource);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      throw new UsageError(`${file}: not valid JSON: ${(error as Error).message}`);
    }
    return sourceFromJson(body, resource);
  } catch (error) {
    return describeApiError(error, file);
  }
}

export function importCommand(): Command {
  return command('import')
    .description("apply an export file (JSON) or a dashboard CSV to an account's settings, printing the diff")
    .argument('<file>', 'an export document (.json) or a CSV file of one collection (.csv, with --resource)')
    .requiredOption('--account <id>', 'the account (32 hexadecimal characters)')
    .addOption(resourceOption())
    .option('--replace', 'make each collection in the file equal to it (delete what the file lacks); default: merge', false)
    .option('--dry-run', 'print the diff and change nothing', false)
    .option('--json', 'print the diff as JSON', false)
    .action(async (file: string, options: { account: string; resource?: string; replace: boolean; dryRun: boolean; json: boolean }) => {
      const account = accountId(options.account, 'import');
      const source = await readSource(file, options.resource);
      const diff = await withStore(async (database) => {
        const { importer } = localStore(database);
        return importer
          .run(cliContext('import'), account, source, { mode: options.replace ? 'replace' : 'merge', dryRun: options.dryRun })
          .catch((error: unknown) => describeApiError(error, file));
      });
      printDiff(diff, options.json);
    });
}
