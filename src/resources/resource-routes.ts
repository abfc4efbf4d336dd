/**
 * HTTP routes of one resource, built from its definition: list, get, create, patch, delete, and the
 * batch and bulk operations it supports. Handlers are thin: identifiers, then one service call.
 */
import type { FastifyInstance, FastifyRequest, RouteShorthandOptions } from 'fastify';
import Type, { type TSchema } from 'typebox';
import { success } from '../http/envelope.js';
import { methodNotAllowed } from '../http/errors.js';
import { changeContextOf } from '../auth/request-auth.js';
import { accountIdOf, recordIdOf, recordUuidOf } from '../http/identifiers.js';
import { VALIDATED_BY_HANDLER } from '../http/validator-compiler.js';
import { assertValid } from '../validation/schema-validator.js';
import {
  Envelope,
  ErrorEnvelope,
  Id,
  IdReference,
  ListEnvelope,
  MAX_BATCH_ITEMS,
  Uuid,
  UuidReference,
  currentApiRecord,
} from './common-schemas.js';
import type { Values } from './definition.js';
import type { BatchBody, RecordKey, ResourceService } from './resource-service.js';
import type { ListOptions } from './resource-repository.js';

const ALL_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

interface RouteOptions {
  /** Keep the routes out of the OpenAPI document (the `/accounts/...` alias of `/client/v4/accounts/...`). */
  hidden: boolean;
}

function isPlainObject(value: unknown): value is Values {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The schemas of a record's id and of the record itself, as this service names records. */
function idSchemas(service: ResourceService) {
  const record = service.definition.schemas.record;
  const answered = service.currentApi ? currentApiRecord(record, { uuid: service.uuidIds }) : record;
  return service.uuidIds ? { id: Uuid, reference: UuidReference, record: answered } : { id: Id, reference: IdReference, record: answered };
}

function batchSchemas(service: ResourceService) {
  const { definition } = service;
  const { id, reference, record } = idSchemas(service);
  const items = (schema: TSchema) => Type.Array(schema, { maxItems: MAX_BATCH_ITEMS });
  if (definition.operations.batch === 'deletes') {
    return {
      body: Type.Object({ deletes: items(reference) }),
      result: Type.Object({ deletes: Type.Array(reference) }),
    };
  }
  const { create, patch, put } = definition.schemas;
  return {
    body: Type.Object({
      deletes: items(reference),
      patches: items(Type.Object({ id, ...patch.properties })),
      puts: items(Type.Object({ id, ...(put ?? create).properties })),
      posts: items(create),
    }),
    result: Type.Object({
      deletes: Type.Array(reference),
      patches: Type.Array(record),
      posts: Type.Array(record),
      puts: Type.Array(record),
    }),
  };
}

/**
 * Registers the resource's routes on `app` under `/accounts/:account_id/email-security/settings/<name>`
 * (the caller adds the `/client/v4` prefix where wanted).
 */
export function registerResourceRoutes(app: FastifyInstance, service: ResourceService, options: RouteOptions): void {
  const { definition } = service;
  const { operations, idParam } = definition;
  const ids = idSchemas(service);
  const schemas = { ...definition.schemas, record: ids.record };
  /** The record id in the URL: an int32, or a uuid where the service names records by uuid. */
  const keyOf = (request: FastifyRequest): RecordKey => (service.uuidIds ? recordUuidOf(request, idParam) : recordIdOf(request, idParam));
  const collection = `/accounts/:account_id/email-security/settings/${definition.name}`;
  const item = `${collection}/:${idParam}`;
  const allowed = new Map<string, string[]>();

  const accountParams = Type.Object({ account_id: Type.String({ description: '32 hexadecimal characters' }) });
  const itemParams = Type.Object({
    account_id: Type.String(),
    [idParam]: Type.String({ description: service.uuidIds ? 'uuid' : 'int32 id' }),
  });

  function route(
    method: (typeof ALL_METHODS)[number],
    url: string,
    operation: string,
    schema: Record<string, unknown>,
    successStatus: number,
    result: TSchema,
    handler: (request: FastifyRequest) => Promise<unknown>,
  ) {
    allowed.set(url, [...(allowed.get(url) ?? []), method]);
    const withId = url === item;
    const routeOptions: RouteShorthandOptions = {
      schema: {
        operationId: `${definition.name}.${operation}`,
        tags: [definition.name],
        hide: options.hidden,
        params: withId ? itemParams : accountParams,
        ...schema,
        response: { [successStatus]: result, '4xx': ErrorEnvelope },
      },
      config: { permission: method === 'GET' ? 'read' : 'write' },
      // Identifiers are checked before the body is parsed or validated, as the real API routes first.
      onRequest: (request, _reply, done) => {
        accountIdOf(request);
        if (withId) keyOf(request);
        done();
      },
    };
    app.route({
      method,
      url,
      ...routeOptions,
      handler: async (request, reply) => {
        const body = await handler(request);
        return reply.code(successStatus).send(body);
      },
    });
  }

  route('GET', collection, 'list', { querystring: schemas.listQuery }, 200, ListEnvelope(schemas.record), async (request) => {
    const query = request.query as Record<string, unknown>;
    const filters = Object.fromEntries(Object.keys(definition.filters).map((key) => [key, query[key]]));
    const listOptions: ListOptions = {
      page: query.page as number,
      perPage: query.per_page as number,
      order: query.order as string | undefined,
      direction: (query.direction as 'asc' | 'desc' | undefined) ?? 'asc',
      search: query.search as string | undefined,
      filters,
    };
    const { result, resultInfo } = await service.list(accountIdOf(request), listOptions);
    return success(result, resultInfo);
  });

  if (operations.create === 'single') {
    route('POST', collection, 'create', { body: schemas.create }, 201, Envelope(schemas.record), async (request) => {
      const [record] = await service.create(changeContextOf(request), accountIdOf(request), [request.body as Values]);
      return success(record);
    });
  } else {
    const bulk = Type.Array(schemas.create);
    const body = { anyOf: [schemas.create, bulk, Type.Object({ body: bulk })], [VALIDATED_BY_HANDLER]: true };
    const result = Envelope(Type.Union([schemas.record, Type.Array(schemas.record)]));
    route('POST', collection, 'create', { body }, 201, result, async (request) => {
      const context = changeContextOf(request);
      const accountId = accountIdOf(request);
      const input = request.body;
      // The result has the shape of the request: object → object, array or {"body": [...]} → array.
      if (Array.isArray(input)) {
        assertValid<Values[]>(bulk, input);
        return success(await service.create(context, accountId, input, ''));
      }
      if (isPlainObject(input) && Object.keys(input).length === 1 && Array.isArray(input.body)) {
        assertValid<Values[]>(bulk, input.body, '/body');
        return success(await service.create(context, accountId, input.body, '/body'));
      }
      assertValid<Values>(schemas.create, input);
      const [record] = await service.create(context, accountId, [input]);
      return success(record);
    });
  }

  route('GET', item, 'get', {}, 200, Envelope(schemas.record), async (request) =>
    success(await service.get(accountIdOf(request), keyOf(request))),
  );

  route('PATCH', item, 'update', { body: schemas.patch }, 200, Envelope(schemas.record), async (request) =>
    success(await service.patch(changeContextOf(request), accountIdOf(request), keyOf(request), request.body as Values)),
  );

  route('DELETE', item, 'delete', {}, 200, Envelope(ids.reference), async (request) =>
    success(await service.remove(changeContextOf(request), accountIdOf(request), keyOf(request))),
  );

  if (operations.batch) {
    const batch = batchSchemas(service);
    route('POST', `${collection}/batch`, 'batch', { body: batch.body }, 200, Envelope(batch.result), async (request) =>
      success(await service.batch(changeContextOf(request), accountIdOf(request), request.body as BatchBody)),
    );
  }

  if (operations.bulkDelete) {
    const body = Type.Array(IdReference, { minItems: 1, maxItems: MAX_BATCH_ITEMS });
    route('DELETE', collection, 'bulk_delete', { body }, 200, Envelope(Type.Array(IdReference)), async (request) =>
      success(await service.removeMany(changeContextOf(request), accountIdOf(request), request.body as { id: number }[])),
    );
  }

  // A known path asked with a method it does not serve is a 405 naming the methods it does.
  for (const [url, methods] of allowed) {
    const others = ALL_METHODS.filter((method) => !methods.includes(method));
    app.route({
      method: others,
      url,
      schema: { hide: true },
      handler: () => {
        throw methodNotAllowed(methods);
      },
    });
  }
}
