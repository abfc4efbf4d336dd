/**
 * `GET /accounts/{account_id}/email-security/export` (read) and `POST .../import` (write): an account's
 * settings out as one JSON document or one collection's dashboard CSV, and back in (`importer.ts`).
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import Type from 'typebox';
import { changeContextOf } from '../auth/request-auth.js';
import { success } from '../http/envelope.js';
import { ApiError, ErrorCode, validationError } from '../http/errors.js';
import { accountIdOf } from '../http/identifiers.js';
import { ErrorEnvelope, StringEnum } from '../resources/common-schemas.js';
import type { ResourceService, Store } from '../resources/resource-service.js';
import { COLLECTION_NAMES } from './collections.js';
import { exportCsv, exportJson } from './exporter.js';
import type { Importer } from './importer.js';
import { sourceFromCsv, sourceFromJson } from './sources.js';

const Resource = StringEnum(COLLECTION_NAMES as [string, ...string[]]);
const params = Type.Object({ account_id: Type.String({ description: '32 hexadecimal characters' }) });

function csvNeedsResource(resource: string | undefined, why: string): asserts resource is string {
  if (resource === undefined) throw validationError([{ pointer: '/resource', message: `resource is required ${why}` }]);
}

export function registerTransferRoutes(
  app: FastifyInstance,
  store: Store,
  services: readonly ResourceService[],
  importer: Importer,
  { hidden, importBodyLimit }: { hidden: boolean; importBodyLimit: number },
): void {
  const byName = new Map(services.map((service) => [service.definition.name, service]));
  const checkAccount = {
    onRequest: (request: Parameters<typeof accountIdOf>[0], _reply: unknown, done: () => void) => {
      accountIdOf(request);
      done();
    },
  };

  app.get(
    '/accounts/:account_id/email-security/export',
    {
      schema: {
        operationId: 'email_security.export',
        tags: ['transfer'],
        hide: hidden,
        params,
        querystring: Type.Object({ format: Type.Optional(StringEnum(['json', 'csv'])), resource: Type.Optional(Resource) }),
        response: { '4xx': ErrorEnvelope },
      },
      config: { permission: 'read' },
      ...checkAccount,
    },
    async (request, reply) => {
      const accountId = accountIdOf(request);
      const { format = 'json', resource } = request.query as { format?: 'json' | 'csv'; resource?: string };
      if (format === 'csv') {
        csvNeedsResource(resource, 'with format=csv');
        reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${resource}.csv"`);
        return reply.send(exportCsv(store, byName.get(resource)!, accountId));
      }
      const chosen = resource === undefined ? services : [byName.get(resource)!];
      reply
        .header('content-type', 'application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="mailwarden-${accountId}.json"`);
      return reply.send(exportJson(store, chosen, accountId));
    },
  );

  // The CSV parser belongs to the import route only: elsewhere text/csv stays an unsupported media type.
  // So does its body limit, MAILWARDEN_IMPORT_BODY_LIMIT, separate from every other route's.
  void app.register((scope, _options, registered) => {
    scope.setErrorHandler((error: FastifyError) => {
      // Handed on to the API's error handler, with this route's limit in the message.
      if (error.statusCode === 413)
        throw new ApiError(413, [
          { code: ErrorCode.bodyTooLarge, message: `Request body is larger than the limit of ${importBodyLimit} bytes` },
        ]);
      throw error;
    });
    scope.addContentTypeParser('text/csv', { parseAs: 'string' }, (_request, body, done) => done(null, String(body)));
    scope.post(
      '/accounts/:account_id/email-security/import',
      {
        schema: {
          operationId: 'email_security.import',
          tags: ['transfer'],
          hide: hidden,
          params,
          querystring: Type.Object({
            mode: Type.Optional(StringEnum(['merge', 'replace'])),
            dry_run: Type.Optional(Type.Boolean()),
            resource: Type.Optional(Resource),
          }),
          response: { '4xx': ErrorEnvelope },
        },
        config: { permission: 'write' },
        bodyLimit: importBodyLimit,
        ...checkAccount,
      },
      async (request) => {
        const accountId = accountIdOf(request);
        const {
          mode = 'merge',
          dry_run: dryRun = false,
          resource,
        } = request.query as { mode?: 'merge' | 'replace'; dry_run?: boolean; resource?: string };
        let source;
        if (typeof request.body === 'string') {
          csvNeedsResource(resource, 'to import CSV (Content-Type: text/csv)');
          source = sourceFromCsv(request.body, resource);
        } else {
          source = sourceFromJson(request.body, resource);
        }
        return success(await importer.run(changeContextOf(request), accountId, source, { mode, dryRun }));
      },
    );
    registered();
  });
}
