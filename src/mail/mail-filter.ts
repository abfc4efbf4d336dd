/**
 * What the mail interfaces (the milter and the Postfix policy service) ask of the policy layer, and
 * what it answers. The protocol servers know nothing of settings or accounts; the filter knows nothing
 * of packets. `createMailFilter` (mail-filter-service.ts) is the implementation.
 */

/** What is known of the SMTP connection when a question is asked. */
export interface MailConnection {
  /** The SMTP client's IP address, when the MTA gave one. */
  clientAddress?: string;
  /** The client's name as the MTA resolved it (`unknown` when it did not). */
  clientName?: string;
  /** The HELO/EHLO name the client gave. */
  helo?: string;
  /** Whether the session is encrypted (STARTTLS or implicit TLS). */
  tls?: boolean;
  /** The MTA's queue id, for logs. */
  queueId?: string;
}

export interface MailEnvelope extends MailConnection {
  /** SMTP MAIL FROM without angle brackets; an empty string is the null sender `<>`. */
  mailFrom: string;
  /** SMTP RCPT TO addresses without angle brackets, in the order given. */
  recipients: string[];
}

/** A whole message as the milter has received it. */
export interface MailMessage extends MailEnvelope {
  /** Header fields in order, as received: name as written, value unfolded only as the MTA sent it. */
  headers: Array<[name: string, value: string]>;
  /** The body as received (CRLF line ends), without the header block. */
  body: Buffer;
}

/** An SMTP reply the MTA sends to the client in place of accepting. */
export interface SmtpReply {
  code: '451' | '550';
  /** RFC 3463 enhanced status code: `4.7.1` or `5.7.1`. */
  enhanced: '4.7.1' | '5.7.1';
  text: string;
}

/** The answer for one recipient at RCPT TO time (the policy service). */
export type RecipientDecision = { action: 'dunno' } | { action: 'reject'; reply: SmtpReply } | { action: 'tempfail'; reply: SmtpReply };

/** The answer for a whole message (the milter, at end of message). */
export interface MessageDecision {
  /**
   * - `deliver`: accept, after the header and recipient changes below;
   * - `reject`: refuse with `reply` (550 5.7.1 when every recipient is dropped);
   * - `discard`: accept and throw away;
   * - `quarantine`: accept into the MTA's hold queue, with `reason`;
   * - `tempfail`: refuse for now with `reply` (451 4.7.1: the settings could not be read).
   */
  outcome: 'deliver' | 'reject' | 'discard' | 'quarantine' | 'tempfail';
  reply?: SmtpReply;
  /** Why a message is quarantined, for the hold queue. */
  reason?: string;
  /** Recipients to remove (milter DELRCPT), exactly as they appeared in `recipients`. */
  removeRecipients: string[];
  /** Header names (case-insensitive) whose every occurrence is removed before delivery. */
  removeHeaders: string[];
  /** Headers inserted at the top of the header block, in this order. */
  addHeaders: Array<[name: string, value: string]>;
}

export interface MailFilter {
  /** The envelope so far and the recipient being added: reject it now when the envelope alone drops it. */
  checkRecipient(envelope: MailEnvelope, recipient: string): Promise<RecipientDecision>;
  /** The whole message: what to do with it and with each recipient. Never rejects (errors become decisions). */
  filterMessage(message: MailMessage): Promise<MessageDecision>;
}
