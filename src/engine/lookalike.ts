/**
 * Lookalike domains: what makes a From domain an imitation of a protected domain. Shared by both
 * engines; the indexed one only finds candidates faster.
 *
 * A domain D imitates a protected domain P when D is not P or under it (checked by the caller), D's
 * registrable domain differs from P's (another subdomain of the same organisation is not a lookalike),
 * and their registrable names (the label before the public suffix, IDN decoded and folded with
 * `foldKey`: TR39 confusables, case, accents) are
 * - equal: `pаypal.com` (Cyrillic а), `paypa1.com`, `rnicrosoft.com`, `acme.net` for `acme.com`; or
 * - one edit apart (insert, delete, substitute, or swap two neighbours), when P's name has at least
 *   `MIN_TYPO_LENGTH` characters: `paypall.com`, `pyapal.com` (but not `acme-corp.com`). Folding can
 *   lengthen a name (`m` is `rn`), so inserting or deleting an `m` counts as two edits.
 * Equal folded names cover "same TR39 skeleton": a registrable domain is its name, a dot and its
 * suffix, and folding keeps the dots.
 */
import { parse } from 'tldts';
import { unicodeDomain } from './address/domain.js';
import { foldKey, foldLabels } from './skeleton/skeleton.js';

/** Below this, one edit turns a name into too many unrelated ones (`ibm`, `ibn`, `abm`…). */
const MIN_TYPO_LENGTH = 4;

export interface DomainProfile {
  /** Registrable domain, Unicode form (`paypal.co.uk`). */
  registrable: string;
  /** Folded registrable name (`paypai`: `l` and `i` fold together). */
  label: string;
  /** Characters in the registrable name before folding (folding can lengthen it: `m` is `rn`). */
  size: number;
}

/** Reads a normalized (ASCII) domain with the public suffix list; undefined when it has no registrable part. */
export function profileDomain(ascii: string): DomainProfile | undefined {
  if (ascii === '') return undefined;
  const info = parse(unicodeDomain(ascii));
  if (info.isIp || !info.domain || !info.domainWithoutSuffix) return undefined;
  return { registrable: info.domain, label: foldKey(info.domainWithoutSuffix), size: length(info.domainWithoutSuffix) };
}

/** Length in code points. */
export function length(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0xdc00 || code > 0xdfff) count++;
  }
  return count;
}

/** Optimal-string-alignment distance between two strings (by code point), capped at 2: enough to tell 0, 1 and more. */
export function editDistance(left: string, right: string): number {
  if (left === right) return 0;
  const a = Array.from(left);
  const b = Array.from(right);
  if (Math.abs(a.length - b.length) > 1) return 2;
  const cols = b.length + 1;
  let previous2: number[] = [];
  let previous = Array.from({ length: cols }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, previous2[j - 2] + 1);
      current.push(best);
    }
    previous2 = previous;
    previous = current;
  }
  return Math.min(previous[cols - 1], 2);
}

/** Whether a sender domain imitates a protected one (the sender is already known not to be protected). */
export function imitates(sender: DomainProfile, protectedDomain: DomainProfile): boolean {
  if (sender.registrable === protectedDomain.registrable) return false;
  const distance = editDistance(sender.label, protectedDomain.label);
  return distance === 0 || (distance === 1 && protectedDomain.size >= MIN_TYPO_LENGTH);
}

/** The folded labels of a normalized domain, IDN labels decoded first. */
export function foldedLabels(ascii: string): string[] {
  return foldLabels(unicodeDomain(ascii));
}
