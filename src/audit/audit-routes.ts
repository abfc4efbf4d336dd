/** `GET /accounts/{account_id}/audit_logs`: read-only; entries cannot be changed or deleted through the API. */
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { success } from '../http/envelope.js';
import { validationError } from '../http/errors.js';
import { accountIdOf } from '../http/identifiers.js';
import { ErrorEnvelope, ListEnvelope, MAX_ID, MAX_PER_PAGE, StringEnum } from '../resources/common-schemas.js';
import type { AuditLog } from './audit-log.js';

const Nullable = (type: string) => ({ type: [type, 'null'] });

const AuditEntrySchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  action: Type.Object({ result: Type.Boolean(), type: Type.String() }),
  actor: Type.Object({
    id: Type.Unsafe(Nullable('string')),
    email: Type.Unsafe(Nullable('string')),
    ip: Type.Unsafe(Nullable('string')),
    type: Type.String(),
  }),
  interface: Type.String(),
  metadata: Type.Object({
    token_id: Type.Unsafe(Nullable('string')),
    token_name: Type.Unsafe(Nullable('string')),
    request_id: Type.Unsafe(Nullable('string')),
  }),
  newValue: Type.Unsafe(Nullable('string')),
  newValueJson: Type.Unsafe({ description: 'The record after the change; null for a delete' }),
  oldValue: Type.Unsafe(Nullable('string')),
  oldValueJson: Type.Unsafe({ description: 'The record before the change; null for a create' }),
  owner: Type.Object({ id: Type.String() }),
  resource: Type.Object({ id: Type.String(), type: Type.String() }),
  when: Type.String({ format: 'date-time' }),
});

const AuditQuery = Type.Object({
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_ID, default: 1 })),
  per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PER_PAGE, default: 100 })),
  direction: Type.Optional(StringEnum(['desc', 'asc'], { default: 'desc' })),
  since: Type.Optional(Type.String({ description: 'RFC 3339 date or date-time; entries at or after it' })),
  before: Type.Optional(Type.String({ description: 'RFC 3339 date or date-time; entries before it' })),
  id: Type.Optional(Type.String()),
  'action.type': Type.Optional(StringEnum(['create', 'update', 'delete'])),
  'actor.ip': Type.Optional(Type.String()),
  'actor.email': Type.Optional(Type.String()),
  'resource.type': Type.Optional(Type.String()),
  'resource.id': Type.Optional(Type.String()),
});

function timeParameter(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(Date.parse(value))) {
    throw validationError([{ pointer: `/${name}`, message: `${name} must be an RFC 3339 date or date-time` }]);
  }
  return value;
}

export function registerAuditRoutes(app: FastifyInstance, auditLog: AuditLog, { hidden }: { hidden: boolean }): void {
  app.get(
    '/accounts/:account_id/audit_logs',
    {
      schema: {
        operationId: 'audit_logs.list',
        tags: ['audit_logs'],
        hide: hidden,
        params: Type.Object({ account_id: Type.String() }),
        querystring: AuditQuery,
        response: { 200: ListEnvelope(AuditEntrySchema), '4xx': ErrorEnvelope },
      },
      config: { permission: 'read' },
      onRequest: (request, _reply, done) => {
        accountIdOf(request);
        done();
      },
    },
    async (request) => {
      const query = request.query as Record<string, string | number | undefined>;
      const page = query.page as number;
      const perPage = query.per_page as number;
      const { entries, total } = await auditLog.list(accountIdOf(request), {
        page,
        perPage,
        direction: query.direction as 'asc' | 'desc',
        since: timeParameter('since', query.since as string | undefined),
        before: timeParameter('before', query.before as string | undefined),
        id: query.id as string | undefined,
        action: query['action.type'] as string | undefined,
        actorIp: query['actor.ip'] as string | undefined,
        actorEmail: query['actor.email'] as string | undefined,
        resourceType: query['resource.type'] as string | undefined,
        resourceId: query['resource.id'] as string | undefined,
      });
      return success(entries, { page, per_page: perPage, count: entries.length, total_count: total });
    },
  );
}
