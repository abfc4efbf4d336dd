/**
 * An index per sort key (`order=pattern`, `order=name`, ...), so a sorted page of a large account reads
 * its 20 rows in order instead of sorting the whole account. `created_at` follows id order, which the
 * primary key already serves.
 */
import type { Migration } from 'kysely';
import type { StoreAdapter } from '../adapter.js';

/** The text sort keys of each table at the time of this migration. */
const SORT_COLUMNS: Record<string, string[]> = {
  allow_policies: ['pattern'],
  block_senders: ['pattern'],
  trusted_domains: ['pattern'],
  impersonation_registry: ['name', 'email'],
  domains: ['domain'],
  sending_domain_restrictions: ['domain'],
};

export function sortIndexesMigration(adapter: StoreAdapter): Migration {
  return {
    async up(db) {
      for (const [table, columns] of Object.entries(SORT_COLUMNS)) {
        for (const column of columns) await adapter.createSortIndex(db, table, column);
      }
    },
  };
}
