/**
 * Whole-store operations on settings for test runs: reset (delete every account's settings, or some
 * accounts', keeping tokens and the audit log) and named snapshots that save and restore every
 * account's settings row for row, ids and timestamps included. They work on the tables directly, not
 * through the audited services: a restore returns to a known state rather than making changes.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from '../db/database.js';
import { chunkRows } from '../db/prepared-query.js';
import { notFound } from '../http/errors.js';
import { SETTINGS_CHANGED_CHANNEL, type CompiledSettingsCache } from '../policy/compiled-settings-cache.js';
import { RESOURCES, UUID_MODE_RESOURCES } from '../resources/index.js';
import type { Executor } from '../db/executor.js';

const DEFINITIONS = [...RESOURCES, ...UUID_MODE_RESOURCES];
const TABLES = DEFINITIONS.map((definition) => definition.name);
/** Tables whose rows carry a uuid; a snapshot taken before uuids existed gets new ones when restored. */
const UUID_TABLES = new Set(DEFINITIONS.filter((definition) => definition.uuidIds).map((definition) => definition.name));

type Row = Record<string, unknown>;

interface SnapshotPayload {
  tables: Record<string, Row[]>;
  counts: Row[];
}

export interface SnapshotInfo {
  name: string;
  created_at: string;
  records: number;
}

export function createSettingsStore(database: Database, cache: CompiledSettingsCache) {
  const { db } = database;

  async function accountsIn(executor: Executor, accounts?: string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (const table of TABLES) {
      let query = executor.selectFrom(table).select('account_id').distinct();
      if (accounts) query = query.where('account_id', 'in', accounts);
      for (const row of await query.execute()) found.add(String(row.account_id));
    }
    return found;
  }

  /** Every replica (this one included) drops these accounts' compiled settings. */
  async function announce(executor: Executor, accounts: Iterable<string>) {
    if (database.listen === undefined) return;
    for (const account of accounts) await database.adapter.notify(executor, SETTINGS_CHANGED_CHANNEL, `admin ${account}`);
  }

  async function deleteSettings(executor: Executor, accounts?: string[]): Promise<number> {
    let records = 0;
    for (const table of TABLES) {
      let query = executor.deleteFrom(table);
      if (accounts) query = query.where('account_id', 'in', accounts);
      records += Number((await query.executeTakeFirst()).numDeletedRows);
    }
    let counts = executor.deleteFrom('resource_counts');
    if (accounts) counts = counts.where('account_id', 'in', accounts);
    await counts.execute();
    return records;
  }

  async function insertRows(executor: Executor, table: string, stored: Row[]) {
    if (stored.length === 0) return;
    const rows = UUID_TABLES.has(table) ? stored.map((row) => (row.uuid ? row : { ...row, uuid: randomUUID() })) : stored;
    for (const chunk of chunkRows(rows, Object.keys(rows[0]).length)) await executor.insertInto(table).values(chunk).execute();
  }

  return {
    /** Deletes the settings of these accounts (all accounts without a list); tokens stay. */
    async reset(accounts?: string[]): Promise<{ accounts: number; records: number }> {
      const wanted = accounts?.map((account) => account.toLowerCase());
      // An empty list names no account (and `in ()` is not SQL PostgreSQL accepts).
      if (wanted?.length === 0) return { accounts: 0, records: 0 };
      const result = await db.transaction().execute(async (executor) => {
        const affected = await accountsIn(executor, wanted);
        const records = await deleteSettings(executor, wanted);
        await announce(executor, affected);
        return { accounts: affected.size, records };
      });
      cache.invalidate();
      return result;
    },

    /** Saves every account's settings under `name`, replacing a snapshot of that name. */
    async save(name: string): Promise<SnapshotInfo> {
      return db.transaction().execute(async (executor) => {
        const payload: SnapshotPayload = { tables: {}, counts: await executor.selectFrom('resource_counts').selectAll().execute() };
        let records = 0;
        for (const table of TABLES) {
          payload.tables[table] = await executor.selectFrom(table).selectAll().orderBy('id').execute();
          records += payload.tables[table].length;
        }
        const info = { name, created_at: new Date().toISOString(), records };
        await executor.deleteFrom('snapshots').where('name', '=', name).execute();
        await executor
          .insertInto('snapshots')
          .values({ ...info, payload: JSON.stringify(payload) })
          .execute();
        return info;
      });
    },

    /** Brings back exactly the settings `name` saved, with their ids; what came after is gone. */
    async restore(name: string): Promise<SnapshotInfo> {
      const result = await db.transaction().execute(async (executor) => {
        const row = await executor.selectFrom('snapshots').selectAll().where('name', '=', name).executeTakeFirst();
        if (!row) throw notFound(`No snapshot named ${name}`);
        const payload = JSON.parse(String(row.payload)) as SnapshotPayload;
        const affected = await accountsIn(executor);
        await deleteSettings(executor);
        for (const table of TABLES) {
          await insertRows(executor, table, payload.tables[table] ?? []);
          for (const record of payload.tables[table] ?? []) affected.add(String(record.account_id));
        }
        await insertRows(executor, 'resource_counts', payload.counts);
        await announce(executor, affected);
        return { name: String(row.name), created_at: String(row.created_at), records: Number(row.records) };
      });
      cache.invalidate();
      return result;
    },

    async list(): Promise<SnapshotInfo[]> {
      const rows = await db
        .selectFrom('snapshots')
        .select(['name', 'created_at', 'records'])
        .orderBy('created_at')
        .orderBy('name')
        .execute();
      return rows.map((row) => ({ name: String(row.name), created_at: String(row.created_at), records: Number(row.records) }));
    },

    /** True when no account has any setting (the seed file's condition). */
    async isEmpty(): Promise<boolean> {
      for (const table of TABLES) {
        if (
          (
            await db
              .selectFrom(table)
              .select(sql`1`.as('one'))
              .limit(1)
              .execute()
          ).length > 0
        )
          return false;
      }
      return true;
    },
  };
}

export type SettingsStore = ReturnType<typeof createSettingsStore>;
