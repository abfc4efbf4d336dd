/**
 * Storage of any resource definition: one table per resource with a column per field, plus
 * `id`, `account_id`, `created_at` and `last_modified`. Every method takes the executor to run on,
 * so the service can put several calls in one transaction.
 */
import { sql, type Expression, type Kysely, type SqlBool } from 'kysely';
import type { StoreAdapter } from '../db/adapter.js';
import type { FieldSpec, ResourceDefinition, StoredRecord, Values } from './definition.js';

// Kysely is typed per table; this module works for any definition, so it uses an untyped handle.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Executor = Kysely<any>;

export interface ListOptions {
  page: number;
  perPage: number;
  order?: string;
  direction: 'asc' | 'desc';
  search?: string;
  filters: Record<string, unknown>;
}

function toColumn(spec: FieldSpec, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (spec.kind) {
    case 'boolean':
      return value ? 1 : 0;
    case 'json':
      return JSON.stringify(value);
    default:
      return value;
  }
}

function fromColumn(spec: FieldSpec, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (spec.kind) {
    case 'boolean':
      return value === 1 || value === true || value === '1';
    case 'json':
      return JSON.parse(String(value));
    case 'integer':
      return Number(value);
    default:
      return value;
  }
}

export function createResourceRepository(definition: ResourceDefinition, adapter: StoreAdapter) {
  const table = definition.name;
  const fieldEntries = Object.entries(definition.fields);

  function toRow(values: Values): Record<string, unknown> {
    const row: Record<string, unknown> = {};
    for (const [name, spec] of fieldEntries) row[name] = toColumn(spec, values[name]);
    return row;
  }

  function fromRow(row: Record<string, unknown>): StoredRecord {
    const values: Values = {};
    for (const [name, spec] of fieldEntries) values[name] = fromColumn(spec, row[name]);
    return {
      id: Number(row.id),
      created_at: String(row.created_at),
      last_modified: String(row.last_modified),
      values,
    };
  }

  function filterCondition(param: string, value: unknown): Expression<SqlBool> {
    const filter = definition.filters[param];
    const column = sql.ref(filter.column);
    const spec = definition.fields[filter.column];
    switch (filter.match) {
      case 'equals':
        return sql<SqlBool>`${column} = ${spec ? toColumn(spec, value) : value}`;
      case 'equalsIgnoreCase':
        return sql<SqlBool>`lower(${column}) = ${String(value).toLowerCase()}`;
      case 'anyEqualsIgnoreCase': {
        const wanted = (value as string[]).map((v) => v.toLowerCase());
        return sql<SqlBool>`lower(${column}) in (${sql.join(wanted)})`;
      }
      case 'jsonArrayContains':
        // Arrays are stored as JSON text of enum members, so the quoted member is a safe substring.
        return sql<SqlBool>`${column} like ${`%${JSON.stringify(String(value))}%`}`;
    }
  }

  function whereList(executor: Executor, accountId: string, options: ListOptions) {
    let query = executor.selectFrom(table).where('account_id', '=', accountId);
    for (const [param, value] of Object.entries(options.filters)) {
      if (value !== undefined && definition.filters[param]) query = query.where(filterCondition(param, value));
    }
    if (options.search) query = query.where(adapter.searchCondition(table, definition.search, options.search));
    return query;
  }

  /** Unfiltered totals come from the maintained count; filtered ones are counted. */
  async function total(executor: Executor, accountId: string, options: ListOptions, base: ReturnType<typeof whereList>) {
    const filtered = Boolean(options.search) || Object.values(options.filters).some((value) => value !== undefined);
    if (filtered) {
      const { total } = await base.select(sql<number>`count(*)`.as('total')).executeTakeFirstOrThrow();
      return Number(total);
    }
    const row = await executor
      .selectFrom('resource_counts')
      .select('count')
      .where('account_id', '=', accountId)
      .where('resource', '=', table)
      .executeTakeFirst();
    return Number(row?.count ?? 0);
  }

  function adjustCount(executor: Executor, accountId: string, delta: number) {
    return executor
      .insertInto('resource_counts')
      .values({ account_id: accountId, resource: table, count: delta })
      .onConflict((conflict) =>
        conflict.columns(['account_id', 'resource']).doUpdateSet({ count: sql`resource_counts.count + ${delta}` }),
      )
      .execute();
  }

  return {
    fromRow,

    async list(executor: Executor, accountId: string, options: ListOptions) {
      const base = whereList(executor, accountId, options);
      const sortColumn = options.order ? definition.sort[options.order] : 'id';
      const count = await total(executor, accountId, options, base);
      let pageQuery = base.selectAll();
      pageQuery =
        sortColumn === 'id'
          ? pageQuery.orderBy('id', options.direction)
          : pageQuery.orderBy(adapter.sortable(sortColumn), options.direction).orderBy('id', 'asc');
      const rows = await pageQuery
        .limit(options.perPage)
        .offset((options.page - 1) * options.perPage)
        .execute();
      return { records: rows.map(fromRow), total: count };
    },

    /** Every record of the account in id order, read in chunks so a large account never needs one huge query. */
    async *findAll(executor: Executor, accountId: string, chunkSize = 10_000): AsyncGenerator<StoredRecord> {
      let after = 0;
      for (;;) {
        const rows = await executor
          .selectFrom(table)
          .selectAll()
          .where('account_id', '=', accountId)
          .where('id', '>', after)
          .orderBy('id')
          .limit(chunkSize)
          .execute();
        for (const row of rows) yield fromRow(row);
        if (rows.length < chunkSize) return;
        after = Number(rows[rows.length - 1].id);
      }
    },

    /**
     * Locks the account's records with these ids, in id order, until the transaction ends. Taking every
     * lock a transaction needs up front, in one global order, is what keeps concurrent batches from
     * deadlocking each other. A no-op where transactions are serialised anyway.
     */
    async lockAll(executor: Executor, accountId: string, ids: number[]) {
      if (!adapter.supportsRowLocks || ids.length === 0) return;
      const unique = [...new Set(ids)].sort((a, b) => a - b);
      await executor
        .selectFrom(table)
        .select('id')
        .where('account_id', '=', accountId)
        .where('id', 'in', unique)
        .orderBy('id')
        .forUpdate()
        .execute();
    },

    async findById(executor: Executor, accountId: string, id: number, { lock = false } = {}) {
      let query = executor.selectFrom(table).selectAll().where('account_id', '=', accountId).where('id', '=', id);
      if (lock && adapter.supportsRowLocks) query = query.forUpdate();
      const row = await query.executeTakeFirst();
      return row ? fromRow(row) : undefined;
    },

    async insert(executor: Executor, accountId: string, values: Values, now: string) {
      const row = await executor
        .insertInto(table)
        .values({ account_id: accountId, created_at: now, last_modified: now, ...toRow(values) })
        .returningAll()
        .executeTakeFirstOrThrow();
      await adjustCount(executor, accountId, 1);
      return fromRow(row);
    },

    async update(executor: Executor, accountId: string, id: number, values: Values, lastModified: string) {
      const row = await executor
        .updateTable(table)
        .set({ last_modified: lastModified, ...toRow(values) })
        .where('account_id', '=', accountId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row ? fromRow(row) : undefined;
    },

    async delete(executor: Executor, accountId: string, id: number) {
      const result = await executor
        .deleteFrom(table)
        .where('account_id', '=', accountId)
        .where('id', '=', id)
        .executeTakeFirst();
      const deleted = Number(result.numDeletedRows) > 0;
      if (deleted) await adjustCount(executor, accountId, -1);
      return deleted;
    },

    /** True when another record of the account already holds `value` in `column` (case-insensitive). */
    async holdsValue(executor: Executor, accountId: string, column: string, value: string, exceptId?: number) {
      let query = executor
        .selectFrom(table)
        .select('id')
        .where('account_id', '=', accountId)
        .where(sql<SqlBool>`lower(${sql.ref(column)}) = ${value.toLowerCase()}`);
      if (exceptId !== undefined) query = query.where('id', '!=', exceptId);
      return (await query.executeTakeFirst()) !== undefined;
    },
  };
}

export type ResourceRepository = ReturnType<typeof createResourceRepository>;
