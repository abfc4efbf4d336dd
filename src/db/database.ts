/**
 * Opens the store named by `DATABASE_URL` and brings its schema up to date. `sqlite:<path>` is the
 * embedded default: one file in WAL mode, fsynced on every commit so an answered write survives a crash.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, type Migration, type MigrationProvider } from 'kysely';
import { sqliteAdapter, type StoreAdapter } from './adapter.js';
import { settingsTablesMigration } from './migrations/0001-settings-tables.js';
import { tokensAndAuditLogMigration } from './migrations/0002-tokens-and-audit-log.js';

export interface Database {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>;
  adapter: StoreAdapter;
  /** Where the data lives, without credentials, for logs. */
  location: string;
  /** A folder for files that belong with the data (the first-start admin token). */
  dataDirectory: string;
  close(): Promise<void>;
}

/** Migrations in the order they apply; names sort in that order too. */
function migrations(adapter: StoreAdapter): Record<string, Migration> {
  return {
    '0001-settings-tables': settingsTablesMigration(adapter),
    '0002-tokens-and-audit-log': tokensAndAuditLogMigration(adapter),
  };
}

class StaticMigrationProvider implements MigrationProvider {
  constructor(private readonly all: Record<string, Migration>) {}
  async getMigrations() {
    return this.all;
  }
}

export class DatabaseUrlError extends Error {}

function openSqlite(path: string): Database {
  const memory = path === ':memory:';
  const file = memory ? path : resolve(path);
  if (!memory) mkdirSync(dirname(file), { recursive: true });
  const connection = new SQLite(file);
  connection.pragma('journal_mode = WAL');
  // FULL: every commit is fsynced before the response is sent, so a power loss keeps answered writes.
  connection.pragma('synchronous = FULL');
  connection.pragma('busy_timeout = 5000');
  const db = new Kysely({ dialect: new SqliteDialect({ database: connection }) });
  return {
    db,
    adapter: sqliteAdapter,
    location: `sqlite:${file}`,
    dataDirectory: memory ? resolve('data') : dirname(file),
    close: () => db.destroy(),
  };
}

export async function openDatabase(url: string): Promise<Database> {
  let database: Database;
  if (url.startsWith('sqlite:')) database = openSqlite(url.slice('sqlite:'.length));
  else throw new DatabaseUrlError(`Unsupported DATABASE_URL '${url.replace(/\/\/[^@]*@/, '//***@')}': use sqlite:<path>`);

  const migrator = new Migrator({ db: database.db, provider: new StaticMigrationProvider(migrations(database.adapter)) });
  const { error } = await migrator.migrateToLatest();
  if (error) {
    await database.close();
    throw error;
  }
  return database;
}
