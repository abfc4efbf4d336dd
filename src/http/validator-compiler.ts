import type { FastifySchemaCompiler } from 'fastify';
import { bodyAjv, queryAjv } from '../validation/schema-validator.js';

/**
 * Marks a body schema that is documented in OpenAPI but checked by the handler itself, because the
 * handler must first decide which of several shapes the client sent (trusted-domain bulk create).
 */
export const VALIDATED_BY_HANDLER = 'x-validated-by-handler';

/** Bodies are checked without type coercion; query strings and params with it (they arrive as text). */
export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) => {
  if ((schema as Record<string, unknown>)[VALIDATED_BY_HANDLER]) return () => true;
  const ajv = httpPart === 'body' ? bodyAjv : queryAjv;
  return ajv.compile(schema) as ReturnType<FastifySchemaCompiler<object>>;
};
