#!/usr/bin/env node
/**
 * The `mailwarden` command (arguments parsed by commander; `mailwarden <command> --help` lists each
 * command's options). Every command but pull/push's remote side works on the store named by
 * DATABASE_URL, like the server.
 */
import { Command, CommanderError } from 'commander';
import { evaluateCommand } from './cli/evaluate-command.js';
import { exportCommand, importCommand } from './cli/transfer-commands.js';
import { pullCommand, pushCommand } from './cli/sync-commands.js';
import { tokensCommand } from './cli/tokens-command.js';
import { UsageError } from './cli/output.js';

const program = new Command('mailwarden')
  .description('Self-hosted Email Security settings service: tokens, evaluation, import/export and sync on the DATABASE_URL store.')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride()
  .addCommand(tokensCommand())
  .addCommand(evaluateCommand())
  .addCommand(exportCommand())
  .addCommand(importCommand())
  .addCommand(pullCommand())
  .addCommand(pushCommand());

program.parseAsync(process.argv).then(
  () => process.exit(0),
  (error: unknown) => {
    if (error instanceof CommanderError) {
      // --help and --version exit 0; commander has printed what it had to say.
      process.exit(error.exitCode === 0 ? 0 : 2);
    }
    process.stderr.write(`mailwarden: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
