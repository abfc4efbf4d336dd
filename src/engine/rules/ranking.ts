/**
 * The order a verdict reports its matches in, and the sorting the rules use. Ranks are switches rather
 * than map lookups: sorting is on the path of every message that matches something.
 */
import type { Match, MatchEffect, MatchField } from '../verdict.js';
import type { ResourceName } from '../settings.js';
import type { SenderHit } from './matcher.js';

const RECIPIENT_FIELDS: MatchField[] = Array.from({ length: 64 }, (_, i) => `recipients[${i}]` as const);

export function recipientField(index: number): MatchField {
  return index < RECIPIENT_FIELDS.length ? RECIPIENT_FIELDS[index] : `recipients[${index}]`;
}

/** block_senders, allow_policies, impersonation_registry, trusted_domains, domains, sending_domain_restrictions. */
function resourceRank(resource: ResourceName): number {
  switch (resource) {
    case 'block_senders':
      return 0;
    case 'allow_policies':
      return 1;
    case 'impersonation_registry':
      return 2;
    case 'trusted_domains':
      return 3;
    case 'domains':
      return 4;
    default:
      return 5;
  }
}

/** envelope_from, from, reply_to, sending_ip, helo, from_name, then recipients[0], recipients[1]… */
function fieldRank(field: MatchField): number {
  switch (field) {
    case 'envelope_from':
      return 0;
    case 'from':
      return 1;
    case 'reply_to':
      return 2;
    case 'sending_ip':
      return 3;
    case 'helo':
      return 4;
    case 'from_name':
      return 5;
    default: {
      // recipients[N]
      let index = 0;
      for (let i = 11; i < field.length - 1; i++) index = index * 10 + (field.charCodeAt(i) - 48);
      return 6 + index;
    }
  }
}

function effectRank(effect: MatchEffect): number {
  switch (effect) {
    case 'block':
      return 0;
    case 'trusted_sender':
      return 1;
    case 'trusted_sender_not_honoured':
      return 2;
    case 'acceptable_sender':
      return 3;
    case 'acceptable_sender_not_honoured':
      return 4;
    case 'exempt_recipient':
      return 5;
    case 'impersonation':
      return 6;
    case 'registered_sender':
      return 7;
    case 'lookalike':
      return 8;
    case 'exempt_recent':
      return 9;
    case 'exempt_similarity':
      return 10;
    case 'drop_without_tls':
      return 11;
    default:
      return 12;
  }
}

/** The order matches are reported in: by collection, id, message field, effect. */
export function compareMatches(a: Match, b: Match): number {
  return (
    resourceRank(a.resource) - resourceRank(b.resource) ||
    a.id - b.id ||
    fieldRank(a.field) - fieldRank(b.field) ||
    effectRank(a.effect) - effectRank(b.effect)
  );
}

export function byRecordThenField<R extends { id: number }>(a: SenderHit<R>, b: SenderHit<R>): number {
  return a.record.id - b.record.id || fieldRank(a.field) - fieldRank(b.field);
}

const byId = <R extends { id: number }>(a: R, b: R) => a.id - b.id;

/** Up to this length lists are sorted by insertion (no call into the engine's sort); both are stable. */
const SMALL_SORT = 16;

/** Sorts `items` in place, stably (as `Array.prototype.sort`). */
export function sortInPlace<T>(items: T[], compare: (a: T, b: T) => number): T[] {
  if (items.length > SMALL_SORT) return items.sort(compare);
  for (let i = 1; i < items.length; i++) {
    const item = items[i];
    let j = i - 1;
    if (compare(items[j], item) <= 0) continue;
    do {
      items[j + 1] = items[j];
      j--;
    } while (j >= 0 && compare(items[j], item) > 0);
    items[j + 1] = item;
  }
  return items;
}

/** `items` sorted: the list itself when already in order (it is never modified), else a sorted copy. */
export function sorted<T>(items: readonly T[], compare: (a: T, b: T) => number): readonly T[] {
  for (let i = 1; i < items.length; i++) {
    if (compare(items[i - 1], items[i]) > 0) return sortInPlace(items.slice(), compare);
  }
  return items;
}

/** Records sorted by id (see `sorted`). */
export function sortedById<R extends { id: number }>(records: readonly R[]): readonly R[] {
  return records.length > 1 ? sorted(records, byId) : records;
}
