/**
 * The one error type of the API. Code throws an `ApiError`; the error handler renders it as the
 * Cloudflare v4 error envelope. Status codes are derived from the error code, never from message text.
 */

/** Cloudflare-style error codes used by mailwarden. */
export const ErrorCode = {
  rateLimited: 971,
  internal: 1000,
  validation: 1001,
  notFound: 1002,
  conflict: 1003,
  bodyTooLarge: 1004,
  methodNotAllowed: 1005,
  unsupportedMediaType: 1006,
  unavailable: 1007,
  requestTimeout: 1008,
  headersTooLarge: 1009,
  noRoute: 7000,
  invalidIdentifier: 7003,
  invalidHeaders: 6003,
  invalidEmailHeader: 6102,
  invalidKeyHeader: 6103,
  invalidAuthorizationHeader: 6111,
  unknownKey: 9103,
  missingCredentials: 9106,
  authentication: 10000,
  /** The dashboard's session cookie is missing, expired, signed out or its token revoked (401). */
  noSession: 10001,
  forbidden: 9109,
} as const;

export interface ApiMessage {
  code: number;
  message: string;
  source?: { pointer: string };
  error_chain?: { code: number; message: string }[];
}

export class ApiError extends Error {
  readonly status: number;
  readonly errors: ApiMessage[];
  readonly headers: Record<string, string>;

  constructor(status: number, errors: ApiMessage[], headers: Record<string, string> = {}) {
    super(errors.map((e) => e.message).join('; '));
    this.name = 'ApiError';
    this.status = status;
    this.errors = errors;
    this.headers = headers;
  }
}

/** A problem with one input field, located by a JSON pointer (`/posts/3/pattern`). */
export interface FieldError {
  pointer: string;
  message: string;
}

export function validationError(fieldErrors: FieldError[]): ApiError {
  return new ApiError(
    400,
    fieldErrors.map((e) => ({ code: ErrorCode.validation, message: e.message, source: { pointer: e.pointer } })),
  );
}

export function notFound(message: string, pointer?: string): ApiError {
  return new ApiError(404, [{ code: ErrorCode.notFound, message, ...(pointer === undefined ? {} : { source: { pointer } }) }]);
}

/**
 * A duplicate: asking again cannot succeed. The official SDK retries every 409 (it reads one as a lock
 * timeout) unless told otherwise by `x-should-retry`.
 */
export function conflict(message: string, pointer?: string): ApiError {
  return new ApiError(409, [{ code: ErrorCode.conflict, message, ...(pointer === undefined ? {} : { source: { pointer } }) }], {
    'x-should-retry': 'false',
  });
}

export function noRoute(): ApiError {
  return new ApiError(404, [{ code: ErrorCode.noRoute, message: 'No route for that URI' }]);
}

/** The real API's answer to an identifier that cannot be one (not an int32, not 32 hex characters). */
export function invalidIdentifier(path: string): ApiError {
  return new ApiError(400, [
    {
      code: ErrorCode.invalidIdentifier,
      message: `Could not route to ${path}, perhaps your object identifier is invalid?`,
    },
    { code: ErrorCode.noRoute, message: 'No route for that URI' },
  ]);
}

export function methodNotAllowed(allowed: string[]): ApiError {
  return new ApiError(405, [{ code: ErrorCode.methodNotAllowed, message: 'Method not allowed' }], {
    allow: allowed.join(', '),
  });
}

/** The database cannot be reached right now; the client should retry (it recovers by itself). */
export function unavailable(): ApiError {
  return new ApiError(503, [{ code: ErrorCode.unavailable, message: 'The settings database is unavailable; retry shortly' }], {
    'retry-after': '5',
  });
}
