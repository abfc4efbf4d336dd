/**
 * MAILWARDEN_SEED_FILE: at start, an export file imported into an empty store. The file is one export
 * document (`account_id` and the collections), an array of them, or `{"accounts": [documents]}`.
 * A store with any setting is left alone; a file that cannot be read or imported stops the start.
 */
import { readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { ApiError } from '../http/errors.js';
import { isAccountId } from '../http/identifiers.js';
import type { Importer } from '../transfer/importer.js';
import { sourceFromJson } from '../transfer/sources.js';
import type { SettingsStore } from './settings-store.js';

export async function seedStore(file: string, settings: SettingsStore, importer: Importer): Promise<{ seeded: boolean; accounts: number }> {
  if (!(await settings.isEmpty())) return { seeded: false, accounts: 0 };
  const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
  const documents = Array.isArray(parsed)
    ? parsed
    : Array.isArray((parsed as { accounts?: unknown }).accounts)
      ? (parsed as { accounts: unknown[] }).accounts
      : [parsed];
  const context = { tokenId: null, tokenName: 'MAILWARDEN_SEED_FILE', email: null, clientIp: '127.0.0.1', requestId: randomUUID() };
  for (const [index, document] of documents.entries()) {
    const accountId = (document as { account_id?: unknown })?.account_id;
    if (typeof accountId !== 'string' || !isAccountId(accountId)) {
      throw new Error(`${file}: document ${index} has no account_id of 32 hexadecimal characters`);
    }
    try {
      await importer.run(context, accountId.toLowerCase(), sourceFromJson(document), { mode: 'merge', dryRun: false });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      throw new Error(`${file}: account ${accountId}: ${error.errors.map((e) => `${e.source?.pointer ?? ''} ${e.message}`).join('; ')}`, {
        cause: error,
      });
    }
  }
  return { seeded: true, accounts: documents.length };
}
