/**
 * What differs between the storage engines, asked as capabilities rather than "which database is this".
 * Repositories and migrations use these and never branch on the engine's name.
 */
import type { ColumnDataType } from 'kysely';

export interface StoreAdapter {
  /** Short name for logs and health output. */
  readonly engine: 'sqlite' | 'postgres';
  /** Column type of a server-assigned int32 primary key. */
  readonly serialIdType: ColumnDataType;
  /** Whether the id column above needs Kysely's `autoIncrement()` modifier (SQLite) to never reuse ids. */
  readonly needsAutoIncrementModifier: boolean;
  /** Whether `SELECT ... FOR UPDATE` exists; where it does not, transactions are serialised anyway. */
  readonly supportsRowLocks: boolean;
  /** True when `error` is a unique-constraint violation raised by this engine. */
  isUniqueViolation(error: unknown): boolean;
}

export const sqliteAdapter: StoreAdapter = {
  engine: 'sqlite',
  serialIdType: 'integer',
  // AUTOINCREMENT stops SQLite from reusing the id of the last deleted row (spec §1.7).
  needsAutoIncrementModifier: true,
  // better-sqlite3 runs every transaction on one connection, one at a time.
  supportsRowLocks: false,
  isUniqueViolation(error) {
    return (error as { code?: string } | null)?.code?.startsWith('SQLITE_CONSTRAINT_UNIQUE') ?? false;
  },
};
