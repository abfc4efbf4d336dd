/**
 * One place turns every failure into the API's error envelope: thrown `ApiError`s, schema validation
 * failures, Fastify's own 4xx errors (body too large, bad media type, bad URL) and unknown routes.
 * Anything else is a bug: logged in full, answered with a generic 500.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { toFieldErrors } from '../validation/schema-validator.js';
import { failure } from './envelope.js';
import { ApiError, ErrorCode, noRoute, unavailable, validationError } from './errors.js';

function send(reply: FastifyReply, error: ApiError): FastifyReply {
  return reply.code(error.status).headers(error.headers).type('application/json; charset=utf-8').send(failure(error.errors));
}

function fromFastifyError(error: FastifyError, bodyLimit: number): ApiError | undefined {
  if (error instanceof ApiError) return error;
  if (error.validation) {
    const part = error.validationContext === 'querystring' ? 'query' : (error.validationContext ?? 'body');
    return validationError(toFieldErrors(error.validation as never, '', part));
  }
  const status = error.statusCode ?? 500;
  if (status >= 500) return undefined;
  switch (status) {
    case 413:
      return new ApiError(413, [{ code: ErrorCode.bodyTooLarge, message: `Request body is larger than the limit of ${bodyLimit} bytes` }]);
    case 415:
      return new ApiError(415, [{ code: ErrorCode.unsupportedMediaType, message: 'Unsupported Content-Type: send application/json' }]);
    case 404:
      return noRoute();
    default:
      return new ApiError(status, [{ code: ErrorCode.validation, message: error.message }]);
  }
}

export interface ErrorHandlingOptions {
  bodyLimit: number;
  /** Recognises the store's "cannot reach the database" errors, answered with 503. */
  isUnavailable: (error: unknown) => boolean;
}

export function registerErrorHandling(app: FastifyInstance, { bodyLimit, isUnavailable }: ErrorHandlingOptions): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const apiError = fromFastifyError(error, bodyLimit);
    if (apiError) return send(reply, apiError);
    if (isUnavailable(error)) {
      request.log.warn({ err: error }, 'database unavailable');
      return send(reply, unavailable());
    }
    request.log.error({ err: error }, 'request failed');
    return send(reply, new ApiError(500, [{ code: ErrorCode.internal, message: 'Internal server error' }]));
  });
  app.setNotFoundHandler((_request, reply) => send(reply, noRoute()));
}

/** For Fastify's router-level failures (a malformed URL), which bypass the error handler. */
export function frameworkErrorHandler(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  void send(reply, new ApiError(400, [{ code: ErrorCode.validation, message: error.message }]));
}
