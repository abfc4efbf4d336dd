/**
 * The sender side of the indexed lookup: which blocked senders and sender-side allow policies match a
 * message's envelope sender, From, Reply-To, sending IP and HELO. Most messages match nothing, so the
 * hit lists are only made once something matches.
 */
import type { PatternIndex } from './indexes/pattern-index.js';
import type { RegexIndex } from './indexes/regex-index.js';
import type { SenderSetting } from './indexes/sender-setting.js';
import type { OneOrMore } from './indexes/one-or-more.js';
import type { PreparedMessage, RegexField } from './message/prepared.js';
import type { SenderHit, SenderMatches } from './rules/matcher.js';
import type { EngineAllowPolicy, EngineBlockedSender } from './settings.js';

const NOTHING: readonly never[] = Object.freeze([]);
const NO_SENDER_MATCHES: SenderMatches = Object.freeze({ blocked: NOTHING, allowed: NOTHING });

interface SenderHits {
  blocked: readonly SenderHit<EngineBlockedSender>[];
  allowed: readonly SenderHit<EngineAllowPolicy>[];
}

/** Appends to a list this module made, or starts one when it is the shared empty list. */
function append<T>(list: readonly T[], item: T): readonly T[] {
  if (list.length === 0) return [item];
  (list as T[]).push(item);
  return list;
}

/** Adds a setting matched on `field` to the hit lists (created on the first hit). */
function emitOne(hits: SenderHits | undefined, setting: SenderSetting, field: RegexField): SenderHits {
  hits ??= { blocked: NOTHING, allowed: NOTHING };
  // Made afresh: a young object costs less than reading back one kept from an earlier evaluation.
  if (setting.blocked) hits.blocked = append(hits.blocked, { record: setting.record, field, texts: undefined });
  else hits.allowed = append(hits.allowed, { record: setting.record as EngineAllowPolicy, field, texts: undefined });
  return hits;
}

/** Adds the settings matched on `field` to the hit lists. */
function emit(hits: SenderHits | undefined, settings: OneOrMore<SenderSetting>, field: RegexField): SenderHits | undefined {
  if (!Array.isArray(settings)) return emitOne(hits, settings, field);
  for (let i = 0; i < settings.length; i++) hits = emitOne(hits, settings[i], field);
  return hits;
}

/** The blocked senders and sender-side allow policies of `index` that match the message, by field. */
export function senderMatches(index: PatternIndex<SenderSetting>, message: PreparedMessage): SenderMatches {
  // Most messages match nothing: the hit lists are only allocated once something matches.
  let hits: SenderHits | undefined;
  // The envelope sender and the header From are often the same address: look it up once.
  const envelope = message.envelope;
  const from = message.from;
  const replyTo = message.replyTo;
  const envelopeEntries = envelope === undefined ? undefined : index.matchAddress(envelope);
  if (envelopeEntries !== undefined) hits = emit(hits, envelopeEntries, 'envelope_from');
  let fromEntries: OneOrMore<SenderSetting> | undefined;
  if (from !== undefined) {
    fromEntries = envelope !== undefined && envelope.address === from.address ? envelopeEntries : index.matchAddress(from);
    if (fromEntries !== undefined) hits = emit(hits, fromEntries, 'from');
  }
  if (replyTo !== undefined) {
    const entries =
      from !== undefined && from.address === replyTo.address
        ? fromEntries
        : envelope !== undefined && envelope.address === replyTo.address
          ? envelopeEntries
          : index.matchAddress(replyTo);
    if (entries !== undefined) hits = emit(hits, entries, 'reply_to');
  }
  const entries =
    message.ipv4 >= 0
      ? index.v4.find(message.ipv4, undefined)
      : message.ipv6 !== undefined
        ? index.v6.find(message.ipv6, undefined)
        : undefined;
  if (entries !== undefined) hits = emit(hits, entries, 'sending_ip');
  if (index.regexes.size > 0) hits = senderRegexes(index.regexes, message, hits);
  return hits === undefined ? NO_SENDER_MATCHES : hits;
}

/**
 * Sender regexes against each sender field as given (`PreparedMessage.regexInputs`, read here
 * without building that list). The envelope sender is usually the From address: matched once.
 */
function senderRegexes(regexes: RegexIndex<SenderSetting>, message: PreparedMessage, hits: SenderHits | undefined): SenderHits | undefined {
  const envelope = message.envelope;
  const from = message.from;
  const replyTo = message.replyTo;
  const envelopeFound = envelope === undefined ? undefined : regexes.find(envelope.raw, undefined);
  if (envelopeFound !== undefined) hits = emit(hits, envelopeFound, 'envelope_from');
  let fromFound: SenderSetting[] | undefined;
  if (from !== undefined) {
    fromFound = envelope !== undefined && envelope.raw === from.raw ? envelopeFound : regexes.find(from.raw, undefined);
    if (fromFound !== undefined) hits = emit(hits, fromFound, 'from');
  }
  if (replyTo !== undefined) {
    const found =
      from !== undefined && from.raw === replyTo.raw
        ? fromFound
        : envelope !== undefined && envelope.raw === replyTo.raw
          ? envelopeFound
          : regexes.find(replyTo.raw, undefined);
    if (found !== undefined) hits = emit(hits, found, 'reply_to');
  }
  const ip = message.message.sending_ip?.trim();
  if (ip) {
    const found = regexes.find(ip, undefined);
    if (found !== undefined) hits = emit(hits, found, 'sending_ip');
  }
  const helo = message.message.helo?.trim();
  if (helo) {
    const found = regexes.find(helo, undefined);
    if (found !== undefined) hits = emit(hits, found, 'helo');
  }
  return hits;
}
