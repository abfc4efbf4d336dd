/**
 * URL ignore patterns (today's API): the settings-table columns every collection has, its uuid, and its
 * fields; the search index over pattern and comments and the sort index on pattern.
 */
import type { Migration } from 'kysely';
import type { StoreAdapter } from '../adapter.js';

export function urlIgnorePatternsMigration(adapter: StoreAdapter): Migration {
  return {
    async up(db) {
      await db.schema
        .createTable('url_ignore_patterns')
        .addColumn('id', adapter.serialIdType, (col) => {
          const key = col.primaryKey();
          return adapter.needsAutoIncrementModifier ? key.autoIncrement() : key;
        })
        .addColumn('account_id', 'varchar(32)', (col) => col.notNull())
        .addColumn('created_at', 'varchar(32)', (col) => col.notNull())
        .addColumn('last_modified', 'varchar(32)', (col) => col.notNull())
        .addColumn('uuid', 'varchar(36)', (col) => col.notNull())
        .addColumn('comments', 'text')
        .addColumn('pattern', 'text', (col) => col.notNull())
        .execute();
      await db.schema.createIndex('url_ignore_patterns_account_id_idx').on('url_ignore_patterns').columns(['account_id', 'id']).execute();
      await db.schema.createIndex('url_ignore_patterns_uuid_idx').unique().on('url_ignore_patterns').column('uuid').execute();
      await adapter.createSearchIndex(db, 'url_ignore_patterns', ['pattern', 'comments']);
      await adapter.createSortIndex(db, 'url_ignore_patterns', 'pattern');
    },
  };
}
