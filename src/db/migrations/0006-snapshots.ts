/** Named snapshots of every account's settings (the `/_mailwarden/snapshots` admin routes): one JSON text each. */
import type { Migration } from 'kysely';

export function snapshotsMigration(): Migration {
  return {
    async up(db) {
      await db.schema
        .createTable('snapshots')
        .addColumn('name', 'varchar(200)', (col) => col.primaryKey())
        .addColumn('created_at', 'varchar(32)', (col) => col.notNull())
        .addColumn('records', 'integer', (col) => col.notNull())
        .addColumn('payload', 'text', (col) => col.notNull())
        .execute();
    },
  };
}
