/** Path identifiers: malformed ones get the real API's 400 (codes 7003 + 7000), before anything else runs. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { MAX_ID } from '../resources/common-schemas.js';
import { invalidIdentifier } from './errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The URL's account id in lower case; null when the route has none or it is malformed. */
    accountId: string | null;
  }
}

/** An account id: 32 hexadecimal characters, as real account ids are. Accounts are stored in lower case. */
export const ACCOUNT_ID_PATTERN = '^[0-9a-fA-F]{32}$';
const ACCOUNT_ID = new RegExp(ACCOUNT_ID_PATTERN);
const RECORD_ID = /^[1-9][0-9]{0,9}$/;
/** A uuid in its 8-4-4-4-12 hexadecimal form, either case. */
export const RECORD_UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export function isAccountId(value: string): boolean {
  return ACCOUNT_ID.test(value);
}

function path(request: FastifyRequest): string {
  return request.url.split('?')[0];
}

/**
 * Reads the URL's account id once per request, before authentication (which needs it to decide
 * access) and before the route's own checks.
 */
export function registerAccountId(app: FastifyInstance): void {
  app.decorateRequest('accountId', null);
  app.addHook('onRequest', (request, _reply, done) => {
    const value = (request.params as Record<string, string | undefined>).account_id;
    if (value !== undefined && ACCOUNT_ID.test(value)) request.accountId = value.toLowerCase();
    done();
  });
}

/** The account id read by `registerAccountId`; a malformed one is a 400 (7003 + 7000). */
export function accountIdOf(request: FastifyRequest): string {
  if (request.accountId === null) throw invalidIdentifier(path(request));
  return request.accountId;
}

/** A positive int32 written in plain decimal. */
export function recordIdOf(request: FastifyRequest, param: string): number {
  const value = (request.params as Record<string, string>)[param];
  const id = RECORD_ID.test(value) ? Number(value) : NaN;
  if (!(id <= MAX_ID)) throw invalidIdentifier(path(request));
  return id;
}

/** A uuid (returned in lower case, as uuids are stored); anything else, an integer included, is a 400 (7003 + 7000). */
export function recordUuidOf(request: FastifyRequest, param: string): string {
  const value = (request.params as Record<string, string>)[param];
  if (!RECORD_UUID.test(value)) throw invalidIdentifier(path(request));
  return value.toLowerCase();
}
