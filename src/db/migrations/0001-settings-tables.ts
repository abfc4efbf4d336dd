/**
 * The six settings tables. Booleans are integers (0/1) and arrays/objects JSON text, so the same
 * columns work on SQLite and PostgreSQL. Migrations are history: never edit one that has shipped.
 */
import { sql, type CreateTableBuilder, type Migration } from 'kysely';
import type { Executor } from '../executor.js';
import type { StoreAdapter } from '../adapter.js';

type Columns = (table: CreateTableBuilder<string, never>) => CreateTableBuilder<string, never>;

export function settingsTablesMigration(adapter: StoreAdapter): Migration {
  async function createSettingsTable(db: Executor, name: string, columns: Columns) {
    let table = db.schema
      .createTable(name)
      .addColumn('id', adapter.serialIdType, (col) => {
        const key = col.primaryKey();
        return adapter.needsAutoIncrementModifier ? key.autoIncrement() : key;
      })
      .addColumn('account_id', 'varchar(32)', (col) => col.notNull())
      .addColumn('created_at', 'varchar(32)', (col) => col.notNull())
      .addColumn('last_modified', 'varchar(32)', (col) => col.notNull());
    table = columns(table);
    await table.execute();
    await db.schema.createIndex(`${name}_account_id_idx`).on(name).columns(['account_id', 'id']).execute();
  }

  return {
    async up(db) {
      await createSettingsTable(db, 'allow_policies', (t) =>
        t
          .addColumn('comments', 'text')
          .addColumn('is_acceptable_sender', 'integer', (c) => c.notNull())
          .addColumn('is_exempt_recipient', 'integer', (c) => c.notNull())
          .addColumn('is_regex', 'integer', (c) => c.notNull())
          .addColumn('is_trusted_sender', 'integer', (c) => c.notNull())
          .addColumn('pattern', 'text', (c) => c.notNull())
          .addColumn('pattern_type', 'varchar(16)', (c) => c.notNull())
          .addColumn('verify_sender', 'integer', (c) => c.notNull()),
      );
      await createSettingsTable(db, 'block_senders', (t) =>
        t
          .addColumn('comments', 'text')
          .addColumn('is_regex', 'integer', (c) => c.notNull())
          .addColumn('pattern', 'text', (c) => c.notNull())
          .addColumn('pattern_type', 'varchar(16)', (c) => c.notNull()),
      );
      await createSettingsTable(db, 'trusted_domains', (t) =>
        t
          .addColumn('comments', 'text')
          .addColumn('is_recent', 'integer', (c) => c.notNull())
          .addColumn('is_regex', 'integer', (c) => c.notNull())
          .addColumn('is_similarity', 'integer', (c) => c.notNull())
          .addColumn('pattern', 'text', (c) => c.notNull()),
      );
      await createSettingsTable(db, 'impersonation_registry', (t) =>
        t
          .addColumn('comments', 'text')
          .addColumn('directory_id', 'bigint')
          .addColumn('directory_node_id', 'bigint')
          .addColumn('email', 'text', (c) => c.notNull())
          .addColumn('external_directory_node_id', 'text')
          .addColumn('is_email_regex', 'integer', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('provenance', 'varchar(64)'),
      );
      await createSettingsTable(db, 'domains', (t) =>
        t
          .addColumn('allowed_delivery_modes', 'text', (c) => c.notNull())
          .addColumn('authorization', 'text')
          .addColumn('dmarc_status', 'varchar(16)')
          .addColumn('domain', 'varchar(253)', (c) => c.notNull())
          .addColumn('drop_dispositions', 'text', (c) => c.notNull())
          .addColumn('emails_processed', 'text')
          .addColumn('folder', 'varchar(16)')
          .addColumn('inbox_provider', 'varchar(16)')
          .addColumn('integration_id', 'varchar(64)')
          .addColumn('ip_restrictions', 'text', (c) => c.notNull())
          .addColumn('lookback_hops', 'integer', (c) => c.notNull())
          .addColumn('o365_tenant_id', 'text')
          .addColumn('regions', 'text', (c) => c.notNull())
          .addColumn('require_tls_inbound', 'integer')
          .addColumn('require_tls_outbound', 'integer')
          .addColumn('spf_status', 'varchar(16)')
          .addColumn('transport', 'text', (c) => c.notNull())
          .addColumn('active_delivery_mode', 'varchar(16)'),
      );
      // One protected domain per name per account, whatever its case.
      await db.schema
        .createIndex('domains_account_domain_unique')
        .on('domains')
        .unique()
        .expression(sql`account_id, lower(domain)`)
        .execute();
      await createSettingsTable(db, 'sending_domain_restrictions', (t) =>
        t
          .addColumn('comments', 'text')
          .addColumn('domain', 'varchar(253)', (c) => c.notNull())
          .addColumn('exclude', 'text', (c) => c.notNull())
          .addColumn('exclude_search', 'text', (c) => c.notNull()),
      );
    },
  };
}
