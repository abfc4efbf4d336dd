#!/usr/bin/env node
/**
 * The `mailwarden` command. Works on the store named by DATABASE_URL, like the server.
 *   mailwarden tokens create --name NAME [--account ID]... [--read-only] [--email EMAIL]
 *   mailwarden tokens list [--json]
 *   mailwarden tokens revoke ID
 *   mailwarden evaluate --account ID [--json] FILE
 */
import { evaluateCommand } from './cli/evaluate-command.js';
import { tokensCommand } from './cli/tokens-command.js';
import { consoleOutput, UsageError } from './cli/output.js';
import { loadConfig } from './config.js';
import { openDatabase } from './db/database.js';

const USAGE = `usage: mailwarden <command>
  tokens create --name NAME [--account ID]... [--read-only] [--email EMAIL]
  tokens list [--json]
  tokens revoke ID
  evaluate --account ID [--json] FILE      (FILE: an .eml message or a JSON message)`;

const COMMANDS = { tokens: tokensCommand, evaluate: evaluateCommand } as const;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!(command in COMMANDS)) {
    process.stderr.write(`${USAGE}\n`);
    return command === undefined || command === '--help' || command === 'help' ? 0 : 2;
  }
  const config = loadConfig();
  const database = await openDatabase(config.databaseUrl);
  try {
    await COMMANDS[command as keyof typeof COMMANDS](rest, database, consoleOutput);
    return 0;
  } finally {
    await database.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`mailwarden: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(usage ? 2 : 1);
  },
);
