/** A command's output: results on stdout, informational lines on stderr, so `| tail -1` gets the result. */
import { Command } from 'commander';
import { loadConfig } from '../config.js';
import { openDatabase, type Database } from '../db/database.js';
import { isAccountId } from '../http/identifiers.js';

export interface Output {
  result(text: string): void;
  info(text: string): void;
}

export class UsageError extends Error {}

export const consoleOutput: Output = {
  result: (text) => process.stdout.write(`${text}\n`),
  info: (text) => process.stderr.write(`${text}\n`),
};

/** `--account ID`, checked and lower-cased. */
export function accountId(value: string | undefined, command: string): string {
  if (!value || !isAccountId(value)) throw new UsageError(`${command} needs --account ID (32 hexadecimal characters)`);
  return value.toLowerCase();
}

/** Opens the DATABASE_URL store for the duration of `work`. */
export async function withStore<T>(work: (database: Database) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const database = await openDatabase(config.databaseUrl, { poolSize: 2, queryTimeoutMs: config.dbQueryTimeoutMs });
  try {
    return await work(database);
  } finally {
    await database.close();
  }
}

/** A subcommand that exits through the program's handler rather than its own. */
export function command(name: string): Command {
  return new Command(name).exitOverride().showHelpAfterError('(run with --help for usage)');
}
