/**
 * `mailwarden evaluate --account ID [--json] [--trusted-authserv-id ID]... FILE`: applies an account's stored settings to a message
 * and prints the explained verdict. FILE is an RFC 5322 `.eml` message, one JSON message in the evaluate
 * endpoint's form, or the endpoint's whole request body `{"messages": [...]}` (one verdict per message).
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { createAuditLog } from '../audit/audit-log.js';
import {
  compileSettings,
  evaluateAll,
  InvalidMessageError,
  messageFromJson,
  MAX_MESSAGES,
  readEml,
  type Message,
  type Verdict,
} from '../engine/index.js';
import { loadAccountSettings } from '../policy/compiled-settings-cache.js';
import { RESOURCES } from '../resources/index.js';
import { createResourceService } from '../resources/resource-service.js';
import { accountId, command, consoleOutput as out, UsageError, withStore } from './output.js';

/** The header an `.eml` field comes from, so a problem names what the user can see in the file. */
const EML_HEADERS: Record<string, string> = {
  from: 'From',
  from_name: 'From (display name)',
  reply_to: 'Reply-To',
  envelope_from: 'Return-Path',
  recipients: 'To/Cc/Bcc (or Delivered-To, X-Original-To)',
  sending_ip: 'Received-SPF client-ip / Received',
  helo: 'Received-SPF helo / Received',
  id: 'Message-ID',
};

function emlProblem(error: InvalidMessageError): string {
  return error.errors
    .map(({ pointer, message }) => {
      const field = pointer.split('/')[1] ?? '';
      if (field === 'from' && /at least/.test(message)) return 'the From header is missing or holds no address';
      if (field === 'recipients' && /at least/.test(message))
        return 'no recipient: the To, Cc, Bcc, Delivered-To and X-Original-To headers hold no address';
      return EML_HEADERS[field] ? `${EML_HEADERS[field]} header: ${message}` : `${pointer || '/'}: ${message}`;
    })
    .join('; ');
}

function jsonProblem(error: InvalidMessageError, prefix = ''): string {
  return error.errors.map((e) => `${prefix}${e.pointer || '/'}: ${e.message}`).join('; ');
}

/**
 * One message, or the messages of an evaluate request body; `batch` tells which the file held. `notes`
 * (an `.eml`'s Authentication-Results from authserv-ids nobody named, say) join the verdict's explanation.
 */
async function readMessages(file: string, trustedAuthservIds: string[]): Promise<{ messages: Message[]; batch: boolean; notes: string[] }> {
  const source = await readFile(file);
  const text = source.toString('utf8').trimStart();
  if (!(file.endsWith('.json') || text.startsWith('{'))) {
    try {
      const { message, notes } = await readEml(source, { trustedAuthservIds });
      return { messages: [message], batch: false, notes };
    } catch (error) {
      if (error instanceof InvalidMessageError) throw new UsageError(`${file}: ${emlProblem(error)}`);
      throw error;
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file}: not valid JSON: ${(error as Error).message}`);
  }
  const body = value as { messages?: unknown };
  const batch = typeof value === 'object' && value !== null && !Array.isArray(value) && 'messages' in body;
  const list = batch ? body.messages : [value];
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_MESSAGES) {
    throw new UsageError(`${file}: /messages must be an array of 1 to ${MAX_MESSAGES} messages`);
  }
  const messages = list.map((item, index) => {
    try {
      return messageFromJson(item);
    } catch (error) {
      if (error instanceof InvalidMessageError) throw new UsageError(`${file}: ${jsonProblem(error, batch ? `/messages/${index}` : '')}`);
      throw error;
    }
  });
  return { messages, batch, notes: [] };
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

interface EvaluateOptions {
  account?: string;
  json: boolean;
  trustedAuthservId: string[];
}

export function evaluateCommand(): Command {
  return command('evaluate')
    .description("apply an account's stored settings to a message and explain the verdict")
    .argument('<file>', 'an .eml message, a JSON message, or an evaluate request body {"messages": [...]}')
    .option('--account <id>', 'the account whose settings apply (32 hexadecimal characters)')
    .option('--json', 'print the verdict as JSON (an array for a {"messages": [...]} file)', false)
    .option(
      '--trusted-authserv-id <id>',
      'an authserv-id whose Authentication-Results are believed (repeatable; default: env MAILWARDEN_TRUSTED_AUTHSERV_ID, comma-separated)',
      (value: string, previous: string[]) => [...previous, value],
      [],
    )
    .action(async (file: string, options: EvaluateOptions) => {
      const account = accountId(options.account, 'evaluate');
      const fromEnv = (process.env.MAILWARDEN_TRUSTED_AUTHSERV_ID ?? '')
        .split(',')
        .map((id) => id.trim())
        .filter(Boolean);
      const trustedAuthservIds = options.trustedAuthservId.length > 0 ? options.trustedAuthservId : fromEnv;
      const { messages, batch, notes } = await readMessages(file, trustedAuthservIds);
      const verdicts = await withStore(async (database) => {
        // Read-only use of the services: nothing here changes settings, so no change announcements.
        const noChanges = { publish: async () => {}, committed: () => {} };
        const services = RESOURCES.map((definition) => createResourceService(definition, database, createAuditLog(database.db), noChanges));
        return evaluateAll(compileSettings(await loadAccountSettings(services, account)), messages);
      });
      for (const verdict of verdicts) verdict.explanation.push(...notes);
      if (options.json) out.result(JSON.stringify(batch ? verdicts : verdicts[0], null, 2));
      else if (!batch) out.result(describe(verdicts[0]));
      else out.result(verdicts.map((verdict, index) => `Message ${verdict.id ?? index + 1}\n${describe(verdict)}`).join('\n\n'));
    });
}
