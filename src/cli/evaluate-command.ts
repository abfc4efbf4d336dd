/**
 * `mailwarden evaluate --account ID [--json] FILE`: applies an account's stored settings to one message,
 * an RFC 5322 `.eml` file (From, display name, Reply-To, recipients and Authentication-Results read from
 * its headers) or a JSON message in the evaluate endpoint's form, and prints the explained verdict.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createAuditLog } from '../audit/audit-log.js';
import type { Database } from '../db/database.js';
import { compileSettings, evaluate, InvalidMessageError, messageFromEml, messageFromJson, type Message, type Verdict } from '../engine/index.js';
import { loadAccountSettings } from '../policy/compiled-settings-cache.js';
import { RESOURCES } from '../resources/index.js';
import { createResourceService } from '../resources/resource-service.js';
import { UsageError, type Output } from './output.js';

const ACCOUNT_ID = /^[0-9a-fA-F]{32}$/;

/** JSON when the file says so (extension or first character), otherwise a raw message. */
async function readMessage(file: string): Promise<Message> {
  const source = await readFile(file);
  const text = source.toString('utf8').trimStart();
  try {
    return file.endsWith('.json') || text.startsWith('{') ? messageFromJson(source) : await messageFromEml(source);
  } catch (error) {
    if (error instanceof InvalidMessageError) {
      throw new UsageError(`${file}: ${error.errors.map((e) => `${e.pointer || '/'}: ${e.message}`).join('; ')}`);
    }
    throw error;
  }
}

function describe(verdict: Verdict): string {
  const lines = [`Verdict: ${verdict.disposition}, ${verdict.action}`];
  for (const recipient of verdict.recipients) lines.push(`  ${recipient.address}: ${recipient.disposition}, ${recipient.action}`);
  lines.push('Why:');
  for (const line of verdict.explanation) lines.push(`  ${line}`);
  if (verdict.matches.length > 0) {
    lines.push('Matched settings:');
    for (const match of verdict.matches) {
      lines.push(`  ${match.resource} ${match.id}: ${match.field} ~ '${match.pattern}' (${match.effect})`);
    }
  }
  return lines.join('\n');
}

export async function evaluateCommand(args: string[], database: Database, out: Output): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    options: { account: { type: 'string' }, json: { type: 'boolean', default: false } },
    allowPositionals: true,
    strict: true,
  });
  if (!values.account || !ACCOUNT_ID.test(values.account)) {
    throw new UsageError('evaluate needs --account ID (32 hexadecimal characters)');
  }
  if (positionals.length !== 1) throw new UsageError('evaluate needs exactly one FILE (.eml or .json)');
  const message = await readMessage(positionals[0]);
  // Read-only use of the services: nothing here changes settings, so no change announcements.
  const noChanges = { publish: async () => {}, committed: () => {} };
  const services = RESOURCES.map((definition) => createResourceService(definition, database, createAuditLog(database.db), noChanges));
  const settings = await loadAccountSettings(services, values.account.toLowerCase());
  const verdict = evaluate(compileSettings(settings), message);
  out.result(values.json ? JSON.stringify(verdict, null, 2) : describe(verdict));
}
