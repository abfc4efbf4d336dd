/**
 * First start with no tokens and no bootstrap value: mint one all-accounts read-write token and
 * write it to a file only the owner can read, next to the data. The secret never reaches the log.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import { createTokenStore } from './token-store.js';

export const INITIAL_TOKEN_FILE = 'initial-admin-token';

export async function ensureInitialToken(database: Database, config: Readonly<Config>, log: FastifyBaseLogger): Promise<void> {
  if (config.authMode === 'open') {
    log.warn('MAILWARDEN_AUTH=open: ANY well-formed credential is accepted for EVERY account. Never use this outside tests.');
    return;
  }
  if (config.bootstrapToken !== undefined) return;
  const tokens = createTokenStore(database.db);
  if ((await tokens.countAll()) > 0) return;
  const { token, secret } = await tokens.create({ name: 'initial admin', accounts: null, readOnly: false, email: null });
  mkdirSync(database.dataDirectory, { recursive: true });
  const file = join(database.dataDirectory, INITIAL_TOKEN_FILE);
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'w' });
  log.warn({ file, tokenId: token.id }, `No API tokens existed: created an all-accounts admin token; its secret is in ${file} (readable by this user only)`);
}
