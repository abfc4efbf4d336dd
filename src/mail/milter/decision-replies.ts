/**
 * The packets that carry a MessageDecision to the MTA at end of message: modifications first,
 * then the final reply. Pure, so the exact packet order is testable apart from sockets.
 */
import type { MessageDecision } from '../mail-filter.js';
import { replies } from './protocol.js';

/** A header name the MTA accepts: printable ASCII without a colon. Others are left out. */
const HEADER_NAME = /^[!-9;-~]+$/;

export function decisionReplies(decision: MessageDecision, headers: ReadonlyArray<[string, string]>): Buffer[] {
  switch (decision.outcome) {
    case 'reject':
      return [smtpReply(decision, '550', '5.7.1', 'Message rejected')];
    case 'tempfail':
      return [smtpReply(decision, '451', '4.7.1', 'Try again later')];
    case 'discard':
      return [replies.discard()];
    case 'quarantine':
      return [...modifications(decision, headers), replies.quarantine(decision.reason ?? 'quarantined by mailwarden'), replies.accept()];
    case 'deliver':
      return [...modifications(decision, headers), replies.accept()];
  }
}

function smtpReply(decision: MessageDecision, code: string, enhanced: string, text: string): Buffer {
  const reply = decision.reply;
  // Postfix refuses a reply whose enhanced code class differs from the SMTP code class.
  if (!reply || reply.code[0] !== code[0] || reply.enhanced[0] !== code[0]) return replies.replyCode(code, enhanced, reply?.text ?? text);
  return replies.replyCode(reply.code, reply.enhanced, reply.text);
}

/**
 * Deletions: every occurrence of each named header, from the last occurrence to the first, so that
 * each index (1-based, counted per name) still points at the header meant whether or not the MTA
 * renumbers after a deletion. Insertions at index 0 (the top) in reverse, so they end up in the
 * decision's order. Then one DELRCPT per removed recipient.
 */
function modifications(decision: MessageDecision, headers: ReadonlyArray<[string, string]>): Buffer[] {
  const packets: Buffer[] = [];
  const done = new Set<string>();
  for (const name of decision.removeHeaders) {
    const key = name.toLowerCase();
    if (done.has(key)) continue;
    done.add(key);
    const occurrences = headers.filter(([header]) => header.toLowerCase() === key);
    for (let index = occurrences.length; index >= 1; index--) packets.push(replies.changeHeader(index, occurrences[0][0], ''));
  }
  for (const [name, value] of [...decision.addHeaders].reverse()) {
    if (HEADER_NAME.test(name)) packets.push(replies.insertHeader(0, name, value));
  }
  for (const recipient of decision.removeRecipients) packets.push(replies.deleteRecipient(recipient));
  return packets;
}
