/** A message read once into the forms every rule compares, by the indexed engine and the naive reference alike. */
import { normalizeAddress, type NormalizedAddress } from '../address/address.js';
import { parseIp, parseIpv4, type ParsedIp } from '../address/ip.js';
import type { Message } from './schema.js';

export type SenderField = 'envelope_from' | 'from' | 'reply_to';
export type RegexField = SenderField | 'sending_ip' | 'helo';

export interface SenderAddress {
  field: SenderField;
  address: NormalizedAddress;
}

export interface RegexInput {
  field: RegexField;
  value: string;
}

/** A message read once into the forms every rule compares. */
export class PreparedMessage {
  // Every field is set once, in the constructor, in this order (`declare`: no separate definition
  // first), so all prepared messages share one shape.
  /** The message's fields, each read once (messages come in many shapes; this object has one). */
  declare readonly message: Message;
  declare readonly id: string | null;
  declare readonly fromName: string | undefined;
  declare readonly age: number | undefined;
  declare readonly tls: boolean | undefined;
  declare readonly dmarcFailed: boolean;
  declare readonly detections: Message['detections'];
  /** `recipients` as given (each read with `normalizeAddress` when the rules reach it). */
  declare readonly addresses: readonly string[];
  declare readonly envelope: NormalizedAddress | undefined;
  declare readonly from: NormalizedAddress | undefined;
  declare readonly replyTo: NormalizedAddress | undefined;
  /** The sending IP when it is IPv4 (IPv4-mapped IPv6 included), as a number; -1 otherwise. */
  declare readonly ipv4: number;
  /** The sending IP's four words when it is IPv6. */
  declare readonly ipv6: number[] | undefined;
  /** DMARC, SPF or DKIM passed: what `verify_sender` asks for. */
  declare readonly authenticated: boolean;
  declare private list: SenderAddress[] | undefined;
  declare private inputs: RegexInput[] | undefined;
  declare private parsedIp: ParsedIp | undefined;

  constructor(message: Message) {
    const fromValue = message.from;
    const envelopeValue = message.envelope_from;
    const from = normalizeAddress(fromValue);
    // The envelope sender is usually the From address: read it once.
    const envelope = envelopeValue === fromValue ? from : normalizeAddress(envelopeValue);
    const replyTo = normalizeAddress(message.reply_to);
    let ipv4 = -1;
    let ipv6: number[] | undefined;
    const ipValue = message.sending_ip;
    if (ipValue !== undefined) {
      // Dotted-quad IPv4 first: the common case, read without allocating.
      ipv4 = parseIpv4(ipValue);
      if (ipv4 < 0) {
        const ip = parseIp(ipValue);
        if (ip?.v6) ipv6 = ip.words;
        else if (ip) ipv4 = ip.words[0];
      }
    }
    const auth = message.authentication;
    this.message = message;
    this.id = message.id ?? null;
    this.fromName = message.from_name;
    this.age = message.sender_domain_age_days;
    this.tls = message.tls;
    this.dmarcFailed = auth !== undefined && auth.dmarc === 'fail';
    this.detections = message.detections;
    this.addresses = message.recipients;
    this.envelope = envelope;
    this.from = from;
    this.replyTo = replyTo;
    this.ipv4 = ipv4;
    this.ipv6 = ipv6;
    this.authenticated = auth !== undefined && (auth.dmarc === 'pass' || auth.spf === 'pass' || auth.dkim === 'pass');
    this.list = undefined;
    this.inputs = undefined;
    this.parsedIp = undefined;
  }

  /** The sending IP (as `parseIp` reads it). */
  get ip(): ParsedIp | undefined {
    if (this.parsedIp === undefined && (this.ipv4 >= 0 || this.ipv6 !== undefined)) {
      this.parsedIp = this.ipv6 !== undefined ? { v6: true, words: this.ipv6 } : { v6: false, words: [this.ipv4] };
    }
    return this.parsedIp;
  }

  /** envelope_from, from, reply_to (those present): what EMAIL and DOMAIN sender patterns are checked against. */
  get senders(): SenderAddress[] {
    if (this.list) return this.list;
    const list: SenderAddress[] = [];
    if (this.envelope) list.push({ field: 'envelope_from', address: this.envelope });
    if (this.from) list.push({ field: 'from', address: this.from });
    if (this.replyTo) list.push({ field: 'reply_to', address: this.replyTo });
    this.list = list;
    return list;
  }

  /** Every non-empty sender field as given (trimmed): what sender regexes are matched against. */
  get regexInputs(): RegexInput[] {
    if (this.inputs) return this.inputs;
    const inputs: RegexInput[] = this.senders.map((sender) => ({ field: sender.field, value: sender.address.raw }));
    const ip = this.message.sending_ip?.trim();
    if (ip) inputs.push({ field: 'sending_ip', value: ip });
    const helo = this.message.helo?.trim();
    if (helo) inputs.push({ field: 'helo', value: helo });
    this.inputs = inputs;
    return inputs;
  }
}

export function prepareMessage(message: Message): PreparedMessage {
  return new PreparedMessage(message);
}
