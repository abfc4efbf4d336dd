/**
 * Who is calling, and may they do this? Parses the credential headers exactly as the Cloudflare front
 * door does, resolves them to a principal, and checks account scope and read/write right.
 * Messages never say whether anything exists in an account the caller cannot reach.
 */
import { timingSafeEqual } from 'node:crypto';
import { ApiError, ErrorCode } from '../http/errors.js';
import { secretDigest, type ApiToken, type TokenStore } from './token-store.js';

export type Permission = 'read' | 'write';
export type AuthMode = 'enforced' | 'open';

export interface Principal {
  /** Token id; `bootstrap` for MAILWARDEN_BOOTSTRAP_TOKEN; null in open mode for unknown credentials. */
  tokenId: string | null;
  tokenName: string;
  email: string | null;
  /** Reachable accounts, or null for all. */
  accounts: string[] | null;
  readOnly: boolean;
}

const PERMISSION_NAMES: Record<Permission, string> = {
  read: 'Cloud Email Security: Read',
  write: 'Cloud Email Security: Write',
};

// Visible ASCII without spaces: what an HTTP token can be.
const TOKEN = /^[\x21-\x7e]{1,512}$/;
const BEARER = /^Bearer ([\x21-\x7e]{1,512})$/;
const EMAIL_HEADER = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

function invalidHeaders(chain: { code: number; message: string }[]): ApiError {
  return new ApiError(400, [{ code: ErrorCode.invalidHeaders, message: 'Invalid request headers', error_chain: chain }]);
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

type Credential = { kind: 'bearer'; secret: string } | { kind: 'global-key'; email: string; key: string };

/** Reads the credential headers, or throws the front door's 400 for missing or malformed ones. */
function parseCredential(headers: Record<string, string | string[] | undefined>): Credential {
  const authorization = header(headers.authorization);
  const email = header(headers['x-auth-email']);
  const key = header(headers['x-auth-key']);
  const legacy = email !== undefined || key !== undefined;
  if (authorization !== undefined && !(email !== undefined && key !== undefined)) {
    const match = BEARER.exec(authorization);
    if (!match) throw invalidHeaders([{ code: ErrorCode.invalidAuthorizationHeader, message: 'Invalid format for Authorization header' }]);
    return { kind: 'bearer', secret: match[1] };
  }
  if (legacy) {
    const chain = [];
    if (email === undefined || !EMAIL_HEADER.test(email)) {
      chain.push({ code: ErrorCode.invalidEmailHeader, message: 'Invalid format for X-Auth-Email header' });
    }
    if (key === undefined || !TOKEN.test(key)) {
      chain.push({ code: ErrorCode.invalidKeyHeader, message: 'Invalid format for X-Auth-Key header' });
    }
    if (chain.length > 0) throw invalidHeaders(chain);
    return { kind: 'global-key', email: email!, key: key! };
  }
  throw new ApiError(400, [{ code: ErrorCode.missingCredentials, message: 'Missing X-Auth-Key, X-Auth-Email or Authorization headers' }]);
}

/** The principal a stored token stands for. */
export function principalOf(token: Pick<ApiToken, 'id' | 'name' | 'email' | 'accounts' | 'read_only'>): Principal {
  return { tokenId: token.id, tokenName: token.name, email: token.email, accounts: token.accounts, readOnly: token.read_only };
}

/** The token id of MAILWARDEN_BOOTSTRAP_TOKEN, which has no row in the token store. */
export const BOOTSTRAP_TOKEN_ID = 'bootstrap';

/** The principal of MAILWARDEN_BOOTSTRAP_TOKEN: an administrator of every account. */
export function bootstrapPrincipal(): Principal {
  return { tokenId: BOOTSTRAP_TOKEN_ID, tokenName: 'bootstrap', email: null, accounts: null, readOnly: false };
}

export interface AuthenticatorOptions {
  mode: AuthMode;
  bootstrapToken?: string;
  tokens: TokenStore;
}

export function createAuthenticator({ mode, bootstrapToken, tokens }: AuthenticatorOptions) {
  // Digests in hexadecimal: one per request serves both the bootstrap comparison and the token lookup.
  const bootstrapDigest = bootstrapToken === undefined ? undefined : Buffer.from(secretDigest(bootstrapToken), 'latin1');
  const openPrincipal: Principal = { tokenId: null, tokenName: 'open mode', email: null, accounts: null, readOnly: false };

  /** Resolves the request's credential to a principal, or throws the front door's 400/403 (docs/api-behaviour.md). */
  async function authenticate(headers: Record<string, string | string[] | undefined>): Promise<Principal> {
    const credential = parseCredential(headers);
    if (credential.kind === 'bearer') {
      const digest = secretDigest(credential.secret);
      // Fixed-length digests: the comparison takes the same time however much of the value matched.
      if (bootstrapDigest && timingSafeEqual(Buffer.from(digest, 'latin1'), bootstrapDigest)) {
        return bootstrapPrincipal();
      }
      const token = await tokens.findByDigest(digest);
      if (token) return principalOf(token);
      if (mode === 'open') return openPrincipal;
      throw new ApiError(403, [{ code: ErrorCode.authentication, message: 'Authentication error' }]);
    }
    const token = await tokens.findBySecret(credential.key);
    if (token && token.email !== null && token.email === credential.email.toLowerCase()) return principalOf(token);
    if (mode === 'open') return { ...openPrincipal, email: credential.email.toLowerCase() };
    throw new ApiError(403, [{ code: ErrorCode.unknownKey, message: 'Unknown X-Auth-Key or X-Auth-Email' }]);
  }

  /** Throws 403 unless `principal` may use `permission` on `accountId`. */
  function authorize(principal: Principal, accountId: string, permission: Permission): void {
    const missing =
      principal.accounts !== null && !principal.accounts.includes(accountId)
        ? `this credential is not granted '${PERMISSION_NAMES[permission]}' on account ${accountId}`
        : permission === 'write' && principal.readOnly
          ? `this credential is read-only and lacks the '${PERMISSION_NAMES.write}' permission`
          : undefined;
    if (missing) {
      throw new ApiError(403, [{ code: ErrorCode.forbidden, message: `Unauthorized to access requested resource: ${missing}` }]);
    }
  }

  return { authenticate, authorize };
}

export type Authenticator = ReturnType<typeof createAuthenticator>;
