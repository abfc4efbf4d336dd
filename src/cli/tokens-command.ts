/** `mailwarden tokens create|list|revoke`: manages API tokens in the store named by DATABASE_URL. */
import { Command } from 'commander';
import { createTokenStore, type ApiToken } from '../auth/token-store.js';
import { checkEmail } from '../validation/patterns.js';
import { isAccountId } from '../http/identifiers.js';
import { command, consoleOutput as out, UsageError, withStore } from './output.js';

function describe(token: ApiToken): string {
  const scope = token.accounts === null ? 'all accounts' : token.accounts.join(', ');
  const status = token.revoked_at ? `revoked ${token.revoked_at}` : 'active';
  return `${token.id}  ${token.name}  [${token.read_only ? 'read-only' : 'read-write'}; ${scope}${token.email ? `; global key for ${token.email}` : ''}]  created ${token.created_at}  ${status}`;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function tokensCommand(): Command {
  const tokens = command('tokens').description('create, list and revoke API tokens');

  tokens
    .addCommand(command('create'))
    .commands.at(-1)!
    .description('create a token; its secret is printed alone on the last line, once')
    .requiredOption('--name <name>', 'a name for the token (shown in lists and the audit log)')
    .option('--account <id>', 'an account the token may reach (repeatable; default: all accounts)', collect)
    .option('--read-only', 'GET only (and evaluate)', false)
    .option('--email <email>', 'also usable as a legacy global key: X-Auth-Email <email> + X-Auth-Key <secret>')
    .action(async (options: { name: string; account?: string[]; readOnly: boolean; email?: string }) => {
      if (options.name.trim() === '') throw new UsageError('tokens create needs --name NAME');
      const accounts = options.account ?? [];
      const badAccount = accounts.find((account) => !isAccountId(account));
      if (badAccount) throw new UsageError(`--account ${badAccount}: an account id is 32 hexadecimal characters`);
      if (options.email !== undefined && checkEmail(options.email))
        throw new UsageError(`--email ${options.email}: not a valid email address`);
      await withStore(async (database) => {
        const { token, secret } = await createTokenStore(database.db).create({
          name: options.name,
          accounts: accounts.length > 0 ? accounts : null,
          readOnly: options.readOnly,
          email: options.email ?? null,
        });
        out.info(`Created token ${describe(token)}`);
        out.info('The secret below is shown once and cannot be recovered; store it now.');
        out.result(secret);
      });
    });

  tokens
    .addCommand(command('list'))
    .commands.at(-1)!
    .description('list tokens (never their secrets)')
    .option('--json', 'print JSON', false)
    .action(async (options: { json: boolean }) => {
      await withStore(async (database) => {
        const all = await createTokenStore(database.db).list();
        if (options.json) out.result(JSON.stringify(all, null, 2));
        else if (all.length === 0) out.result('No tokens.');
        else out.result(all.map(describe).join('\n'));
      });
    });

  tokens
    .addCommand(command('revoke'))
    .commands.at(-1)!
    .description('revoke a token, effective at once')
    .argument('<id>', 'the token id (from tokens list)')
    .action(async (id: string) => {
      await withStore(async (database) => {
        if (!(await createTokenStore(database.db).revoke(id))) throw new UsageError(`No active token with id ${id}`);
        out.result(`Revoked token ${id}`);
      });
    });
  return tokens;
}
