/**
 * JSON request bodies. The official SDK sends `Content-Type: application/json` on every request,
 * bodiless DELETEs included, so an empty body is "no body" here rather than a parse error.
 */
import type { FastifyInstance } from 'fastify';
import secureJson from 'secure-json-parse';
import { validationError } from './errors.js';

export function registerJsonBodyParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    try {
      // Rejects `__proto__` / `constructor.prototype` keys instead of letting them reach objects.
      done(null, secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }));
    } catch (error) {
      const reason = error instanceof Error ? error.message : 'unparseable';
      done(validationError([{ pointer: '', message: `Request body is not valid JSON: ${reason}` }]), undefined);
    }
  });
}
