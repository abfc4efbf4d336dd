/**
 * SPF, DKIM, DMARC and ARC for a received message, computed with mailauth. DNS goes to the system
 * resolver, or to the server named by MAILWARDEN_DNS_SERVER (`HOST:PORT`). Every lookup is bounded
 * (timeout and one retry), so a silent DNS server cannot hold a message, and answers are cached for
 * `dnsCacheSeconds` (dns-cache.ts).
 */
import { Resolver } from 'node:dns/promises';
import { authenticate } from 'mailauth';
import type { AuthenticationResults } from '../engine/index.js';
import { cachedResolve } from './dns-cache.js';

export interface Authentication {
  results: AuthenticationResults;
  /** The `Authentication-Results` value mailauth wrote (authserv-id first), unfolded. */
  header: string | undefined;
}

export interface AuthenticateInput {
  raw: Buffer;
  ip?: string;
  helo?: string;
  mailFrom: string;
}

export type Authenticator = (input: AuthenticateInput) => Promise<Authentication>;

export interface AuthenticatorOptions {
  /** `HOST:PORT` of the DNS server to ask; undefined: the system resolver. */
  dnsServer?: string;
  /** The authserv-id written into the header (default: the host name). */
  authservId?: string;
  /** Per-lookup timeout in milliseconds. */
  timeoutMs?: number;
  /** How long a DNS answer (or "no such record") is reused; 0: every message asks again. */
  dnsCacheSeconds?: number;
}

function result(value: string | undefined): 'pass' | 'fail' | 'none' {
  if (value === 'pass') return 'pass';
  if (value === 'fail' || value === 'softfail') return 'fail';
  return 'none';
}

export function createAuthenticator({
  dnsServer,
  authservId,
  timeoutMs = 2000,
  dnsCacheSeconds = 60,
}: AuthenticatorOptions = {}): Authenticator {
  const resolver = new Resolver({ timeout: timeoutMs, tries: 2 });
  if (dnsServer) resolver.setServers([dnsServer]);
  const resolve = cachedResolve((name, type) => resolver.resolve(name, type) as Promise<string[]>, { seconds: dnsCacheSeconds });
  return async ({ raw, ip, helo, mailFrom }) => {
    const outcome = await authenticate(raw, {
      ...(ip ? { ip } : {}),
      ...(helo ? { helo } : {}),
      sender: mailFrom,
      ...(authservId ? { mta: authservId } : {}),
      resolver: resolve,
      disableBimi: true,
    });
    const dkim = outcome.dkim.results.map((entry) => entry.status.result);
    const results: AuthenticationResults = {
      spf: outcome.spf ? result(outcome.spf.status.result) : 'none',
      dkim: dkim.includes('pass') ? 'pass' : dkim.some((value) => value === 'fail' || value === 'neutral') ? 'fail' : 'none',
      dmarc: outcome.dmarc ? result(outcome.dmarc.status.result) : 'none',
    };
    // The header's first line and its continuation lines (those that start with white space).
    const line = /(?:^|\n)Authentication-Results:[ \t]*([^\r\n]*(?:\r?\n[ \t]+[^\r\n]*)*)/i.exec(outcome.headers)?.[1];
    return { results, header: line?.replace(/\r?\n[ \t]+/g, ' ').trim() };
  };
}
