/** Path identifiers: malformed ones get the real API's 400 (codes 7003 + 7000), before anything else runs. */
import type { FastifyRequest } from 'fastify';
import { MAX_ID } from '../resources/common-schemas.js';
import { invalidIdentifier } from './errors.js';

const ACCOUNT_ID = /^[0-9a-fA-F]{32}$/;
const RECORD_ID = /^[1-9][0-9]{0,9}$/;

function path(request: FastifyRequest): string {
  return request.url.split('?')[0];
}

/** Decision 2: 32 hexadecimal characters. Accounts are stored in lower case. */
export function accountIdOf(request: FastifyRequest): string {
  const value = (request.params as Record<string, string>).account_id;
  if (!ACCOUNT_ID.test(value)) throw invalidIdentifier(path(request));
  return value.toLowerCase();
}

/** A positive int32 written in plain decimal. */
export function recordIdOf(request: FastifyRequest, param: string): number {
  const value = (request.params as Record<string, string>)[param];
  const id = RECORD_ID.test(value) ? Number(value) : NaN;
  if (!(id <= MAX_ID)) throw invalidIdentifier(path(request));
  return id;
}
