/**
 * First start with no tokens and no bootstrap value: mint one all-accounts read-write token and
 * write it to a file only the owner can read, next to the data. The secret never reaches the log.
 *
 * An existing file is never overwritten: it may hold the secret of another store sharing the folder
 * (a second database file, a PostgreSQL database, an earlier run). The new secret then goes to a file
 * named after its token id. An in-memory store keeps nothing next to data that outlives it: its secret
 * goes to a private folder under the system's temporary directory.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import { createTokenStore } from './token-store.js';

const INITIAL_TOKEN_FILE = 'initial-admin-token';

/** Writes `secret` to a new owner-only file in `directory` and returns its path; never replaces a file. */
function writeSecretFile(directory: string, tokenId: string, secret: string): string {
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  for (const name of [INITIAL_TOKEN_FILE, `${INITIAL_TOKEN_FILE}-${tokenId}`]) {
    const file = join(directory, name);
    try {
      // 'wx' fails with EEXIST rather than truncating a file that is there already.
      writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
      return file;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw new Error(`Cannot write the initial admin token: ${join(directory, `${INITIAL_TOKEN_FILE}-${tokenId}`)} exists`);
}

export async function ensureInitialToken(database: Database, config: Readonly<Config>, log: FastifyBaseLogger): Promise<void> {
  if (config.authMode === 'open') {
    log.warn('MAILWARDEN_AUTH=open: ANY well-formed credential is accepted for EVERY account. Never use this outside tests.');
    return;
  }
  if (config.bootstrapToken !== undefined) return;
  const tokens = createTokenStore(database.db);
  if ((await tokens.countAll()) > 0) return;
  const { token, secret } = await tokens.create({ name: 'initial admin', accounts: null, readOnly: false, email: null });
  const directory = database.dataDirectory ?? mkdtempSync(join(tmpdir(), 'mailwarden-'));
  let file: string;
  try {
    file = writeSecretFile(directory, token.id, secret);
  } catch (error) {
    // A token whose secret nobody holds would count as "tokens exist" on every later start: remove it.
    await database.db.deleteFrom('api_tokens').where('id', '=', token.id).execute();
    throw error;
  }
  const lifetime = database.dataDirectory === null ? ' (the store is in memory: the token ends with this process)' : '';
  log.warn(
    { file, tokenId: token.id },
    `No API tokens existed: created an all-accounts admin token${lifetime}; its secret is in ${file} (readable by this user only)`,
  );
}
