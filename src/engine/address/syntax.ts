/**
 * What the API accepts as a domain name and as an email address. The settings API checks patterns
 * with these, and the evaluate endpoint checks a message's addresses with them.
 */
import { domainToASCII } from 'node:url';

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * `checkDomain`'s answer for the common case without the IDN conversion (a call into the URL parser
 * per address, the larger part of checking an evaluate request): letters, digits, hyphens and dots
 * only, no punycode label, and a last label starting with a letter (so the URL parser cannot read the
 * name as an IPv4 address). True or false when it can tell, undefined when the full check must run.
 */
function plainDomainIsValid(value: string): boolean | undefined {
  const length = value.length;
  if (length === 0 || length > 253) return undefined;
  let labels = 0;
  let labelStart = 0;
  let valid = true;
  for (let i = 0; i <= length; i++) {
    const code = i === length ? 46 : value.charCodeAt(i);
    if (code === 46) {
      const size = i - labelStart;
      if (size === 0 || size > 63 || value.charCodeAt(labelStart) === 45 || value.charCodeAt(i - 1) === 45) valid = false;
      // A punycode label (`xn--`, any case) must decode: the full check reads it.
      if (size >= 4 && value.charCodeAt(labelStart + 2) === 45 && value.charCodeAt(labelStart + 3) === 45 && isXn(value, labelStart)) {
        return undefined;
      }
      labels++;
      if (i === length && (size === 0 || !isLetter(value.charCodeAt(labelStart)))) return undefined;
      labelStart = i + 1;
    } else if (!(isLetter(code) || (code - 48) >>> 0 <= 9 || code === 45)) {
      return undefined;
    }
  }
  return valid && labels >= 2;
}

/** An ASCII letter, either case. */
function isLetter(code: number): boolean {
  return (code - 97) >>> 0 <= 25 || (code - 65) >>> 0 <= 25;
}

/** The label starting at `start` starts with `xn` (either case). */
function isXn(value: string, start: number): boolean {
  const x = value.charCodeAt(start);
  const n = value.charCodeAt(start + 1);
  return (x === 120 || x === 88) && (n === 110 || n === 78);
}

/** A hostname of at least two labels (IDN allowed, checked in its ASCII form), not an IP address. */
export function checkDomain(value: string): string | undefined {
  return (plainDomainIsValid(value) ?? isValidDomainName(value)) ? undefined : `'${value}' is not a valid domain name`;
}

/** `checkDomain`'s rule in full: the name in its ASCII form (the URL parser's IDN conversion), then its labels. */
export function isValidDomainName(value: string): boolean {
  const ascii = value.length > 0 && !value.endsWith('.') ? domainToASCII(value) : '';
  const labels = ascii.split('.');
  return (
    ascii.length > 0 &&
    ascii.length <= 253 &&
    labels.length >= 2 &&
    labels.every((label) => LABEL.test(label)) &&
    !/^[0-9]+$/.test(labels[labels.length - 1])
  );
}

// RFC 5322 dot-atom local part, the form real mailboxes use.
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;

/** An address with exactly one `@`, a dot-atom local part of at most 64 characters and a valid domain. */
export function checkEmail(value: string): string | undefined {
  const at = value.indexOf('@');
  if (at < 1 || at > 64 || value.indexOf('@', at + 1) >= 0 || !LOCAL_PART.test(value.slice(0, at)) || checkDomain(value.slice(at + 1))) {
    return `'${value}' is not a valid email address`;
  }
  return undefined;
}
