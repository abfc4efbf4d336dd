/**
 * Domains in the one form every comparison uses: ASCII (IDN labels punycode-encoded), lowercase, no
 * trailing dot. The indexed engine and the naive reference both read domains with these, so they can
 * only differ in how they look settings up, never in what a match means.
 */
import { domainToASCII, domainToUnicode } from 'node:url';

const PLAIN_ASCII_DOMAIN = /^[A-Za-z0-9_.-]*$/;

/**
 * A domain in the form every comparison uses: ASCII (IDN labels punycode-encoded), lowercase, no
 * trailing dot. An invalid IDN gives `''`, which matches nothing.
 */
export function normalizeDomain(value: string): string {
  let domain = value.trim();
  if (domain.endsWith('.')) domain = domain.slice(0, -1);
  if (PLAIN_ASCII_DOMAIN.test(domain)) return domain.toLowerCase();
  return domainToASCII(domain);
}

/** The Unicode form of a normalized (ASCII) domain, IDN labels decoded. */
export function unicodeDomain(ascii: string): string {
  if (!ascii.includes('xn--')) return ascii;
  return domainToUnicode(ascii) || ascii;
}

/** `domain` is `parent` or one of its subdomains (both normalized). */
export function isWithin(domain: string, parent: string): boolean {
  return (
    domain === parent ||
    (domain.length > parent.length && domain.endsWith(parent) && domain.charCodeAt(domain.length - parent.length - 1) === 46)
  );
}

/** A domain pattern as stored: tolerates a leading `*.`, `@` or `.`; undefined when nothing is left. */
export function normalizeDomainPattern(pattern: string): string | undefined {
  const domain = normalizeDomain(pattern.trim().replace(/^(\*\.|@|\.)/, ''));
  return domain === '' ? undefined : domain;
}
