/**
 * `mailwarden pull` and `mailwarden push`: sync an account's settings with another server speaking the
 * API (a Cloudflare account, another mailwarden). pull reads every collection of the remote through the
 * API and imports it into the DATABASE_URL store (merge, or --replace); push reads the local store and
 * makes the remote match it with the API's own calls (batches where the collection has them). Both
 * print the diff; --dry-run changes nothing.
 */
import type { Command } from 'commander';
import { MAX_BATCH_ITEMS } from '../resources/common-schemas.js';
import type { Values } from '../resources/definition.js';
import type { ResourceService } from '../resources/resource-service.js';
import { COLLECTION_FORMATS } from '../transfer/collections.js';
import { countsOf, pick, planCollection, totalCounts, type CollectionDiff, type ImportDiff, type ImportMode } from '../transfer/diff.js';
import { sourceFromJson } from '../transfer/sources.js';
import { createRemote, type Credentials, type Remote } from './remote-api.js';
import { cliContext, localStore } from './local-store.js';
import { accountId, command, UsageError, withStore } from './output.js';
import { describeApiError, printDiff } from './transfer-commands.js';

interface SyncOptions {
  from?: string;
  to?: string;
  account: string;
  token?: string;
  email?: string;
  key?: string;
  dryRun: boolean;
  replace: boolean;
  json: boolean;
}

/** Progress on a terminal only, overwritten in place. */
function progressLine(): (text: string) => void {
  if (!process.stderr.isTTY) return () => {};
  return (text) => process.stderr.write(`\r\x1b[K${text}`);
}

function credentialsOf(options: SyncOptions): Credentials {
  if (options.token && (options.email || options.key)) throw new UsageError('give --token T, or --email E --key K, not both');
  if (!options.token && !(options.email && options.key)) throw new UsageError('the remote needs --token T, or --email E and --key K');
  return { token: options.token, email: options.email, key: options.key };
}

function syncCommand(name: 'pull' | 'push', direction: string): Command {
  const urlFlag = name === 'pull' ? '--from <url>' : '--to <url>';
  return command(name)
    .description(direction)
    .requiredOption(urlFlag, 'the remote API base, e.g. https://api.cloudflare.com/client/v4 or http://mailwarden:8787/client/v4')
    .requiredOption('--account <id>', 'the account, the same on both sides (32 hexadecimal characters)')
    .option('--token <token>', "the remote's API token")
    .option('--email <email>', "the remote's legacy global key: account email (with --key)")
    .option('--key <key>', "the remote's legacy global key (with --email)")
    .option('--replace', 'delete what the source lacks, so each collection ends equal to it; default: merge', false)
    .option('--dry-run', 'print the diff and change nothing', false)
    .option('--json', 'print the diff as JSON', false);
}

/** Sends one collection's plan to the remote: deletes first, then updates and creates. */
async function apply(remote: Remote, service: ResourceService, diff: CollectionDiff, progress: (text: string) => void): Promise<void> {
  const name = service.definition.name;
  // Nulls are left out: on create they are the defaults, and some PATCH schemas refuse them.
  const body = (values: Values) =>
    Object.fromEntries(Object.entries(values).filter(([field, value]) => value !== null || field === 'comments'));
  let done = 0;
  const total = diff.counts.create + diff.counts.update + diff.counts.delete;
  const step = (count: number) => progress(`${name}: ${(done += count)}/${total} sent`);
  if (service.definition.operations.batch === 'full') {
    for (let start = 0; start < Math.max(diff.delete.length, diff.update.length, diff.create.length); start += MAX_BATCH_ITEMS) {
      const slice = <T>(items: T[]) => items.slice(start, start + MAX_BATCH_ITEMS);
      const deletes = slice(diff.delete).map(({ id }) => ({ id }));
      const patches = slice(diff.update).map(({ id, after }) => ({ id, ...body(after) }));
      const posts = slice(diff.create).map(body);
      await remote.batch(name, { deletes, patches, puts: [], posts });
      step(deletes.length + patches.length + posts.length);
    }
    return;
  }
  for (const { id } of diff.delete) await remote.remove(name, id).then(() => step(1));
  for (const { id, after } of diff.update) await remote.update(name, id, body(after)).then(() => step(1));
  for (const values of diff.create) await remote.create(name, body(values)).then(() => step(1));
}

export function pullCommand(): Command {
  return syncCommand('pull', "read a remote account's settings through the API and import them into the DATABASE_URL store").action(
    async (options: SyncOptions) => {
      const account = accountId(options.account, 'pull');
      const progress = progressLine();
      const remote = createRemote(options.from!, account, credentialsOf(options), progress);
      const document: Record<string, Values[]> = {};
      for (const name of Object.keys(COLLECTION_FORMATS)) document[name] = await remote.list(name);
      progress('');
      const diff = await withStore((database) =>
        localStore(database)
          .importer.run(cliContext('pull'), account, sourceFromJson(document), {
            mode: options.replace ? 'replace' : 'merge',
            dryRun: options.dryRun,
          })
          .catch((error: unknown) => describeApiError(error, options.from)),
      );
      printDiff(diff, options.json);
    },
  );
}

export function pushCommand(): Command {
  return syncCommand('push', "make a remote account's settings match the DATABASE_URL store's, through the API").action(
    async (options: SyncOptions) => {
      const account = accountId(options.account, 'push');
      const progress = progressLine();
      const remote = createRemote(options.to!, account, credentialsOf(options), progress);
      const mode: ImportMode = options.replace ? 'replace' : 'merge';
      const diff = await withStore(async (database) => {
        const { services } = localStore(database);
        const collections: Record<string, CollectionDiff> = {};
        for (const service of services) {
          const { naturalKey } = COLLECTION_FORMATS[service.definition.name];
          const keyed = (record: Values) => ({ key: naturalKey(record), values: pick(record, service.writable), item: record });
          const local = (await service.all(account)).map(keyed);
          const remoteRecords = (await remote.list(service.definition.name)).map(keyed);
          const plan = planCollection(remoteRecords, local, mode);
          const collection: CollectionDiff = {
            counts: countsOf(plan),
            create: plan.creates.map((row) => row.values),
            update: plan.updates.map(({ row, stored }) => ({ id: Number(stored.item.id), before: stored.values, after: row.values })),
            delete: plan.deletes.map((stored) => ({ id: Number(stored.item.id), ...stored.values })),
          };
          collections[service.definition.name] = collection;
          if (!options.dryRun) await apply(remote, service, collection, progress);
        }
        return { mode, dry_run: options.dryRun, counts: totalCounts(collections), collections } satisfies ImportDiff;
      });
      progress('');
      printDiff(diff, options.json);
    },
  );
}
