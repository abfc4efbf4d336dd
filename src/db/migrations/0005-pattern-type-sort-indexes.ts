/**
 * `pattern_type=X&order=pattern` on a large account: with only (account_id, pattern, id) the planner
 * walked the whole account in pattern order (or counted through it), skipping other types; this index
 * serves the filtered count and the filtered, sorted page directly.
 */
import type { Migration } from 'kysely';
import type { StoreAdapter } from '../adapter.js';

export function patternTypeSortIndexesMigration(adapter: StoreAdapter): Migration {
  return {
    async up(db) {
      for (const table of ['allow_policies', 'block_senders']) {
        await adapter.createSortIndex(db, table, 'pattern', ['pattern_type']);
      }
    },
  };
}
