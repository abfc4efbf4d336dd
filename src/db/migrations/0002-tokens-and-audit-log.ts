/** API tokens (stored as SHA-256 digests of their secrets) and the append-only audit log. */
import type { Migration } from 'kysely';
import type { StoreAdapter } from '../adapter.js';

export function tokensAndAuditLogMigration(adapter: StoreAdapter): Migration {
  return {
    async up(db) {
      await db.schema
        .createTable('api_tokens')
        .addColumn('id', 'varchar(32)', (col) => col.primaryKey())
        .addColumn('name', 'text', (col) => col.notNull())
        .addColumn('secret_digest', 'varchar(64)', (col) => col.notNull().unique())
        // JSON array of account ids, or null for every account.
        .addColumn('accounts', 'text')
        .addColumn('read_only', 'integer', (col) => col.notNull())
        .addColumn('email', 'text')
        .addColumn('created_at', 'varchar(32)', (col) => col.notNull())
        .addColumn('revoked_at', 'varchar(32)')
        .execute();

      await db.schema
        .createTable('audit_log')
        .addColumn('seq', adapter.serialIdType, (col) => {
          const key = col.primaryKey();
          return adapter.needsAutoIncrementModifier ? key.autoIncrement() : key;
        })
        .addColumn('id', 'varchar(36)', (col) => col.notNull().unique())
        .addColumn('account_id', 'varchar(32)', (col) => col.notNull())
        .addColumn('created_at', 'varchar(32)', (col) => col.notNull())
        .addColumn('token_id', 'varchar(32)')
        .addColumn('token_name', 'text')
        .addColumn('actor_email', 'text')
        .addColumn('client_ip', 'varchar(64)')
        .addColumn('request_id', 'varchar(64)')
        .addColumn('action', 'varchar(16)', (col) => col.notNull())
        .addColumn('resource_type', 'varchar(64)', (col) => col.notNull())
        .addColumn('resource_id', 'varchar(32)', (col) => col.notNull())
        .addColumn('old_value', 'text')
        .addColumn('new_value', 'text')
        .execute();
      await db.schema.createIndex('audit_log_account_time_idx').on('audit_log').columns(['account_id', 'created_at', 'seq']).execute();
    },
  };
}
