/**
 * Substring search served by an index on both engines (SQLite FTS5 trigram, PostgreSQL pg_trgm), and
 * per-account record counts kept in step with every insert and delete, so an unfiltered list's
 * `total_count` is one row read, not a count over a large account.
 */
import { sql, type Migration } from 'kysely';
import type { StoreAdapter } from '../adapter.js';

/** The searched columns of each table at the time of this migration. */
const SEARCHED_COLUMNS: Record<string, string[]> = {
  allow_policies: ['pattern', 'comments'],
  block_senders: ['pattern', 'comments'],
  trusted_domains: ['pattern', 'comments'],
  impersonation_registry: ['name', 'email', 'comments'],
  domains: ['domain'],
  sending_domain_restrictions: ['domain', 'exclude_search', 'comments'],
};

export function searchIndexesAndCountsMigration(adapter: StoreAdapter): Migration {
  return {
    async up(db) {
      for (const [table, columns] of Object.entries(SEARCHED_COLUMNS)) {
        await adapter.createSearchIndex(db, table, columns);
      }
      await db.schema
        .createTable('resource_counts')
        .addColumn('account_id', 'varchar(32)', (col) => col.notNull())
        .addColumn('resource', 'varchar(64)', (col) => col.notNull())
        .addColumn('count', 'integer', (col) => col.notNull())
        .addPrimaryKeyConstraint('resource_counts_pk', ['account_id', 'resource'])
        .execute();
      for (const table of Object.keys(SEARCHED_COLUMNS)) {
        await sql`insert into resource_counts (account_id, resource, count)
          select account_id, ${table}, count(*) from ${sql.table(table)} group by account_id`.execute(db);
      }
    },
  };
}
