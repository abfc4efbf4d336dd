/**
 * A uuid per record of the five collections whose ids are uuids in today's Cloudflare API, so one store
 * can be served with integer ids or with uuids (`MAILWARDEN_API_IDS`). Existing rows get a random
 * (version 4) uuid here; new rows get theirs from the application when they are created. A uuid never
 * changes, and is unique across the table.
 */
import type { Migration } from 'kysely';
import type { StoreAdapter } from '../adapter.js';

const TABLES = ['allow_policies', 'block_senders', 'trusted_domains', 'impersonation_registry', 'sending_domain_restrictions'];

export function recordUuidsMigration(adapter: StoreAdapter): Migration {
  return {
    async up(db) {
      for (const table of TABLES) {
        await adapter.addRandomUuidColumn(db, table, 'uuid');
        await db.schema.createIndex(`${table}_uuid_idx`).unique().on(table).column('uuid').execute();
      }
    },
  };
}
