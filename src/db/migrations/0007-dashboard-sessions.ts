/**
 * Dashboard sign-in sessions (src/dashboard/): one row per signed-in browser, keyed by the SHA-256 of
 * the cookie's secret, pointing at the API token it was opened with. Stored in the database so every
 * replica accepts the cookie and a sign-out anywhere ends it everywhere.
 */
import type { Migration } from 'kysely';

export function dashboardSessionsMigration(): Migration {
  return {
    async up(db) {
      await db.schema
        .createTable('dashboard_sessions')
        .addColumn('id_digest', 'varchar(64)', (col) => col.primaryKey())
        // An api_tokens id, or `bootstrap` for MAILWARDEN_BOOTSTRAP_TOKEN.
        .addColumn('token_id', 'varchar(32)', (col) => col.notNull())
        // For `bootstrap` sessions: the digest of the bootstrap secret signed in with, so changing it ends them.
        .addColumn('bootstrap_digest', 'varchar(64)')
        .addColumn('created_at', 'varchar(32)', (col) => col.notNull())
        .addColumn('expires_at', 'varchar(32)', (col) => col.notNull())
        .execute();
      await db.schema.createIndex('dashboard_sessions_expiry_idx').on('dashboard_sessions').column('expires_at').execute();
      await db.schema.createIndex('dashboard_sessions_token_idx').on('dashboard_sessions').column('token_id').execute();
    },
  };
}
