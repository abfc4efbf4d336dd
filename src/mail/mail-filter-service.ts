/**
 * The MailFilter (mail-filter.ts) over the settings: routes each recipient to the account protecting
 * its domain, authenticates the message (or trusts an upstream Authentication-Results header), builds
 * the engine's Message and evaluates it per account exactly as `POST .../evaluate` does, then turns the
 * verdicts into what the MTA does. Settings that cannot be read become the configured error answer.
 */
import addressparser from 'nodemailer/lib/addressparser/index.js';
import { DISPOSITIONS, evaluate, trustedAuthenticationResults, type Message, type Verdict } from '../engine/index.js';
import type { CompiledSettingsCache } from '../policy/compiled-settings-cache.js';
import { mailMessagesTotal, mailRecipientsUnprotectedTotal } from '../metrics/metrics.js';
import type { AccountRouting } from './account-routing.js';
import type { Authenticator } from './authentication.js';
import type { MailEnvelope, MailFilter, MailMessage, MessageDecision, RecipientDecision, SmtpReply } from './mail-filter.js';

export interface MailFilterLog {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
}

export interface MailFilterOptions {
  routing: AccountRouting;
  cache: CompiledSettingsCache;
  authenticator: Authenticator;
  dropAction: 'reject' | 'discard' | 'quarantine';
  onError: 'tempfail' | 'accept';
  /** Upstream authserv-ids whose Authentication-Results header is believed instead of computing. */
  trustedAuthservIds?: readonly string[];
  /** The authserv-id mailwarden writes when the authenticator gave no header. */
  authservId: string;
  log: MailFilterLog;
  /** The `interface` label of the message counter. */
  interfaceName?: string;
}

const TEMPFAIL: SmtpReply = { code: '451', enhanced: '4.7.1', text: 'mailwarden cannot read its settings, try again later' };

function firstAddress(value: string | undefined): { address?: string; name?: string } {
  if (value === undefined) return {};
  const [first] = addressparser(value, { flatten: true });
  return first ? { address: first.address, name: first.name } : {};
}

function headerValues(headers: MailMessage['headers'], name: string): string[] {
  return headers.filter(([key]) => key.toLowerCase() === name).map(([, value]) => value.replace(/\r?\n[ \t]+/g, ' ').trim());
}

function rawMessage(message: MailMessage): Buffer {
  const head = message.headers.map(([name, value]) => `${name}: ${value}\r\n`).join('');
  return Buffer.concat([Buffer.from(`${head}\r\n`), message.body]);
}

export function createMailFilter(options: MailFilterOptions): MailFilter {
  const { routing, cache, log } = options;
  const interfaceName = options.interfaceName ?? 'milter';

  async function verdicts(base: Omit<Message, 'recipients'>, recipients: readonly string[]) {
    const routed = await routing.route(recipients);
    const byAccount = new Map<string, string[]>();
    for (const recipient of recipients) {
      const accountId = routed.get(recipient);
      if (accountId === undefined) continue;
      byAccount.set(accountId, [...(byAccount.get(accountId) ?? []), recipient]);
    }
    const unprotected = recipients.length - routed.size;
    if (unprotected > 0) mailRecipientsUnprotectedTotal.inc(unprotected);
    const results: Array<{ accountId: string; verdict: Verdict }> = [];
    for (const [accountId, accountRecipients] of byAccount) {
      const compiled = await cache.get(accountId);
      results.push({ accountId, verdict: evaluate(compiled, { ...base, recipients: accountRecipients }) });
    }
    return results;
  }

  return {
    async checkRecipient(envelope: MailEnvelope, recipient: string): Promise<RecipientDecision> {
      const base: Omit<Message, 'recipients'> = {
        from: envelope.mailFrom,
        envelope_from: envelope.mailFrom,
        ...(envelope.clientAddress ? { sending_ip: envelope.clientAddress } : {}),
        ...(envelope.helo ? { helo: envelope.helo } : {}),
        ...(envelope.tls !== undefined ? { tls: envelope.tls } : {}),
      };
      try {
        const [result] = await verdicts(base, [recipient]);
        const verdict = result?.verdict.recipients[0];
        if (verdict?.action !== 'drop') return { action: 'dunno' };
        return {
          action: 'reject',
          reply: { code: '550', enhanced: '5.7.1', text: `Recipient rejected by mailwarden: ${verdict.disposition}` },
        };
      } catch (error) {
        log.warn({ err: error, queueId: envelope.queueId }, 'policy check failed');
        return options.onError === 'tempfail' ? { action: 'tempfail', reply: TEMPFAIL } : { action: 'dunno' };
      }
    },

    async filterMessage(message: MailMessage): Promise<MessageDecision> {
      const started = performance.now();
      const removeHeaders = [...new Set(message.headers.map(([name]) => name).filter((name) => /^x-mailwarden-/i.test(name)))];
      const decision: MessageDecision = { outcome: 'deliver', removeRecipients: [], removeHeaders, addHeaders: [] };
      const from = firstAddress(headerValues(message.headers, 'from')[0]);
      const replyTo = firstAddress(headerValues(message.headers, 'reply-to')[0]);
      let disposition: string;
      let accounts: string[] = [];
      let matched: number[] = [];
      try {
        let authentication: Message['authentication'];
        let resultsHeader: string | undefined;
        const upstream = options.trustedAuthservIds?.length
          ? trustedAuthenticationResults(headerValues(message.headers, 'authentication-results'), options.trustedAuthservIds).results
          : undefined;
        if (upstream) authentication = upstream;
        else {
          const computed = await options.authenticator({
            raw: rawMessage(message),
            ip: message.clientAddress,
            helo: message.helo,
            mailFrom: message.mailFrom,
          });
          authentication = computed.results;
          resultsHeader = computed.header;
        }
        const base: Omit<Message, 'recipients'> = {
          from: from.address || message.mailFrom,
          ...(from.name?.trim() ? { from_name: from.name.trim() } : {}),
          ...(replyTo.address ? { reply_to: replyTo.address } : {}),
          envelope_from: message.mailFrom,
          ...(message.clientAddress ? { sending_ip: message.clientAddress } : {}),
          ...(message.helo ? { helo: message.helo } : {}),
          ...(message.tls !== undefined ? { tls: message.tls } : {}),
          authentication,
        };
        const results = await verdicts(base, message.recipients);
        accounts = results.map((entry) => entry.accountId);
        matched = results.flatMap((entry) => entry.verdict.matches.map((match) => match.id));
        const recipientVerdicts = results.flatMap((entry) => entry.verdict.recipients);
        decision.removeRecipients = message.recipients.filter((recipient) =>
          recipientVerdicts.some((v) => v.address === recipient && v.action === 'drop'),
        );
        // The most severe over every account's verdict (DISPOSITIONS lists them most severe first).
        disposition = DISPOSITIONS.find((candidate) => results.some((entry) => entry.verdict.disposition === candidate)) ?? 'NONE';
        if (decision.removeRecipients.length === message.recipients.length && message.recipients.length > 0) {
          decision.removeRecipients = [];
          decision.outcome = options.dropAction;
          if (options.dropAction === 'reject')
            decision.reply = { code: '550', enhanced: '5.7.1', text: `Message rejected by mailwarden: ${disposition}` };
          if (options.dropAction === 'quarantine') decision.reason = `mailwarden: ${disposition}`;
        } else {
          decision.addHeaders.push(['X-Mailwarden-Disposition', disposition]);
          const header =
            resultsHeader ??
            `${options.authservId}; spf=${authentication?.spf ?? 'none'}; dkim=${authentication?.dkim ?? 'none'}; dmarc=${authentication?.dmarc ?? 'none'}`;
          decision.addHeaders.push(['Authentication-Results', header]);
        }
      } catch (error) {
        log.warn({ err: error, queueId: message.queueId }, 'mail filter could not evaluate the message');
        disposition = 'UNKNOWN';
        if (options.onError === 'tempfail')
          Object.assign(decision, { outcome: 'tempfail', reply: TEMPFAIL, removeRecipients: [], addHeaders: [] });
        else decision.addHeaders = [['X-Mailwarden-Disposition', 'UNKNOWN']];
      }
      mailMessagesTotal.inc({ interface: interfaceName, disposition, action: decision.outcome });
      log.info(
        {
          queueId: message.queueId,
          clientAddress: message.clientAddress,
          sender: message.mailFrom,
          recipients: message.recipients,
          accounts,
          disposition,
          action: decision.outcome,
          matches: matched,
          elapsedMs: Math.round((performance.now() - started) * 1000) / 1000,
        },
        'mail message filtered',
      );
      return decision;
    },
  };
}
