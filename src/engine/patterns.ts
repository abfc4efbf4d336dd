/**
 * What a stored setting's pattern means: its kind (address, domain or IP block), how its regex runs,
 * which domains a sending domain restriction excludes, which From addresses an impersonation entry
 * registers. The indexed engine and the naive reference both read settings with these.
 */
import RE2 from 're2';
import { normalizeEmailPattern, type NormalizedAddress } from './address/address.js';
import { isWithin, normalizeDomainPattern } from './address/domain.js';
import { parseCidr } from './address/ip.js';
import type { EngineDisplayName, EngineSendingDomainRestriction } from './settings.js';

export type PatternKind = 'EMAIL' | 'DOMAIN' | 'IP';

/** How a non-regex sender pattern is matched. Legacy `UNKNOWN` patterns are read by their shape. */
export function patternKind(patternType: string, pattern: string): PatternKind {
  if (patternType === 'EMAIL' || patternType === 'DOMAIN' || patternType === 'IP') return patternType;
  if (parseCidr(pattern)) return 'IP';
  return pattern.includes('@') ? 'EMAIL' : 'DOMAIN';
}

/**
 * A pattern regex as the engine runs it: RE2, case-insensitive, matched against the whole value (the
 * documented example `.*@domain\.com` is a full match). Undefined when RE2 cannot compile it.
 */
export function compileRegex(pattern: string): RE2 | undefined {
  try {
    // Compiled alone first: a pattern such as `a)|(b` must not become valid by being wrapped.
    new RE2(pattern, 'i');
    return new RE2(`^(?:${pattern})$`, 'i');
  } catch {
    return undefined;
  }
}

/** Exclusions of a sending domain restriction as full, normalized domains. */
export function restrictionExcludes(restriction: EngineSendingDomainRestriction, domain: string): string[] {
  const excludes: string[] = [];
  for (const entry of restriction.exclude) {
    const normalized = normalizeDomainPattern(entry);
    if (normalized) excludes.push(isWithin(normalized, domain) ? normalized : `${normalized}.${domain}`);
  }
  return excludes;
}

/** Whether an impersonation entry's email (exact address, or a regex) matches the From address. */
export function registeredAddressMatcher(entry: EngineDisplayName): (from: NormalizedAddress) => boolean {
  if (entry.is_email_regex) {
    const regex: RE2 | undefined = compileRegex(entry.email);
    return regex ? (from) => regex.test(from.raw) : () => false;
  }
  const address = normalizeEmailPattern(entry.email);
  return address ? (from) => from.address === address : () => false;
}
