/**
 * Authentication results a receiving server wrote into a message's headers (`Authentication-Results`,
 * RFC 8601, and `Received-SPF`, RFC 7208), believed only from the servers the operator names.
 *
 * Anyone can write these headers into a message before sending it, so a result is only worth what its
 * author is: the authserv-id that starts an `Authentication-Results` value (`mx.example.com; spf=pass …`)
 * names the server that checked, and a receiving domain's border servers remove headers that claim
 * its own authserv-id. Results from an authserv-id the caller does not trust are ignored, and the
 * ids ignored are reported so an explanation can say why the message counts as unauthenticated.
 */
import type { Message } from './schema.js';

type AuthResult = 'pass' | 'fail' | 'none';
export type AuthenticationResults = NonNullable<Message['authentication']>;

function spfResult(value: string): AuthResult {
  const result = value.toLowerCase();
  if (result === 'pass') return 'pass';
  if (result === 'fail' || result === 'softfail' || result === 'hardfail') return 'fail';
  return 'none';
}

/** Comments (parenthesised, one level of nesting) can quote anything, including "spf=pass"; they are not results. */
function withoutComments(value: string): string {
  return value.replace(/\((?:[^()]|\([^()]*\))*\)/g, ' ');
}

/** The authserv-id of one Authentication-Results value, lowercase: what comes before the first `;`, without a version. */
export function authservId(value: string): string {
  const head = withoutComments(value).split(';', 1)[0].trim();
  const id = head.split(/\s+/, 1)[0] ?? '';
  return (id.startsWith('"') && id.endsWith('"') && id.length >= 2 ? id.slice(1, -1) : id).toLowerCase();
}

/** spf, dkim and dmarc results of one Authentication-Results value, whoever wrote it. */
export function parseAuthenticationResults(value: string): AuthenticationResults {
  const text = withoutComments(value);
  const found: AuthenticationResults = {};
  const dkim: string[] = [];
  for (const match of text.matchAll(/(?:^|[\s;])(spf|dkim|dmarc)\s*=\s*([a-z]+)/gi)) {
    const method = match[1].toLowerCase() as 'spf' | 'dkim' | 'dmarc';
    const result = match[2].toLowerCase();
    if (method === 'dkim') dkim.push(result);
    else if (found[method] === undefined) {
      found[method] = method === 'spf' ? spfResult(result) : result === 'pass' ? 'pass' : result === 'fail' ? 'fail' : 'none';
    }
  }
  // DKIM passes if any signature passes.
  if (dkim.length > 0) found.dkim = dkim.includes('pass') ? 'pass' : dkim.includes('fail') ? 'fail' : 'none';
  return found;
}

export interface TrustedAuthenticationResults {
  /** The results of the topmost header from a trusted authserv-id that carries any; undefined when none does. */
  results: AuthenticationResults | undefined;
  /** The authserv-ids of headers that carried results but are not trusted, topmost first, each once. */
  ignored: string[];
}

/**
 * The results a message's `Authentication-Results` values (topmost first) carry from the trusted
 * authserv-ids (compared without case). Headers without results are passed over.
 */
export function trustedAuthenticationResults(
  values: readonly string[],
  trustedAuthservIds: readonly string[],
): TrustedAuthenticationResults {
  const trusted = new Set(trustedAuthservIds.map((id) => id.trim().toLowerCase()));
  let results: AuthenticationResults | undefined;
  const ignored: string[] = [];
  for (const value of values) {
    const found = parseAuthenticationResults(value);
    if (Object.keys(found).length === 0) continue;
    const id = authservId(value);
    if (!trusted.has(id)) {
      if (!ignored.includes(id)) ignored.push(id);
    } else {
      results ??= found;
    }
  }
  return { results, ignored };
}

/** The explanation line for results ignored from an untrusted authserv-id. */
export function ignoredAuthenticationNote(authservId: string, header = 'Authentication-Results'): string {
  return `${header} from ${authservId || 'an unnamed server'} ignored: not a trusted authserv-id.`;
}

export interface ReceivedSpf {
  result?: AuthResult;
  ip?: string;
  helo?: string;
  /** Who wrote it: the `receiver=` key, else the host that starts its comment (`(mx.example.com: …)`), lowercase. */
  receiver?: string;
}

/** One Received-SPF value: its result, the client IP and HELO it names, and its receiver. */
export function parseReceivedSpf(value: string | undefined): ReceivedSpf {
  if (!value) return {};
  const result = /^\s*([a-z]+)/i.exec(value)?.[1];
  const ip = /client-ip\s*=\s*([0-9a-f.:]+)/i.exec(value)?.[1];
  const helo = /\bhelo\s*=\s*([^\s;]+)/i.exec(value)?.[1];
  const receiver = (
    /\breceiver\s*=\s*"?([^\s;"]+)/i.exec(value)?.[1] ?? /^\s*[a-z]+\s*\(\s*([^\s:()]+)\s*:/i.exec(value)?.[1]
  )?.toLowerCase();
  return { result: result ? spfResult(result) : undefined, ip, helo, receiver };
}
