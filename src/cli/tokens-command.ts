/** `mailwarden tokens create|list|revoke`: manages API tokens in the store named by DATABASE_URL. */
import { parseArgs } from 'node:util';
import { createTokenStore, type ApiToken } from '../auth/token-store.js';
import type { Database } from '../db/database.js';
import { checkEmail } from '../validation/patterns.js';
import { UsageError, type Output } from './output.js';

const ACCOUNT_ID = /^[0-9a-fA-F]{32}$/;

function describe(token: ApiToken): string {
  const scope = token.accounts === null ? 'all accounts' : token.accounts.join(', ');
  const status = token.revoked_at ? `revoked ${token.revoked_at}` : 'active';
  return `${token.id}  ${token.name}  [${token.read_only ? 'read-only' : 'read-write'}; ${scope}${token.email ? `; global key for ${token.email}` : ''}]  created ${token.created_at}  ${status}`;
}

export async function tokensCommand(args: string[], database: Database, out: Output): Promise<void> {
  const [action, ...rest] = args;
  const tokens = createTokenStore(database.db);
  switch (action) {
    case 'create': {
      const { values } = parseArgs({
        args: rest,
        options: {
          name: { type: 'string' },
          account: { type: 'string', multiple: true },
          'read-only': { type: 'boolean', default: false },
          email: { type: 'string' },
        },
        strict: true,
      });
      if (!values.name || values.name.trim() === '') throw new UsageError('tokens create needs --name NAME');
      const accounts = values.account ?? [];
      const badAccount = accounts.find((account) => !ACCOUNT_ID.test(account));
      if (badAccount) throw new UsageError(`--account ${badAccount}: an account id is 32 hexadecimal characters`);
      if (values.email !== undefined && checkEmail(values.email)) throw new UsageError(`--email ${values.email}: not a valid email address`);
      const { token, secret } = await tokens.create({
        name: values.name,
        accounts: accounts.length > 0 ? accounts : null,
        readOnly: values['read-only'] ?? false,
        email: values.email ?? null,
      });
      out.info(`Created token ${describe(token)}`);
      out.info('The secret below is shown once and cannot be recovered; store it now.');
      out.result(secret);
      return;
    }
    case 'list': {
      const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean', default: false } }, strict: true });
      const all = await tokens.list();
      if (values.json) out.result(JSON.stringify(all, null, 2));
      else if (all.length === 0) out.result('No tokens.');
      else out.result(all.map(describe).join('\n'));
      return;
    }
    case 'revoke': {
      const { positionals } = parseArgs({ args: rest, allowPositionals: true, strict: true });
      if (positionals.length !== 1) throw new UsageError('tokens revoke needs exactly one token ID');
      if (!(await tokens.revoke(positionals[0]))) throw new UsageError(`No active token with id ${positionals[0]}`);
      out.result(`Revoked token ${positionals[0]}`);
      return;
    }
    default:
      throw new UsageError('usage: mailwarden tokens create --name NAME [--account ID]... [--read-only] [--email EMAIL] | tokens list [--json] | tokens revoke ID');
  }
}
