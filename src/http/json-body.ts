/**
 * JSON request bodies. The official SDK sends `Content-Type: application/json` on every request,
 * bodiless DELETEs included, so an empty body is "no body" here rather than a parse error. A body must
 * be UTF-8: invalid bytes are a 400, not silently replaced by U+FFFD.
 */
import type { FastifyInstance } from 'fastify';
import secureJson from 'secure-json-parse';
import { validationError } from './errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

export function registerJsonBodyParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      done(validationError([{ pointer: '', message: 'Request body is not valid UTF-8' }]), undefined);
      return;
    }
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
