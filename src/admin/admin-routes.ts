/**
 * `/_mailwarden/` routes for test runs, served only with MAILWARDEN_ADMIN_API=on and only to
 * administrator tokens (every account, read-write): reset the settings, save and restore snapshots.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { success } from '../http/envelope.js';
import { ApiError, ErrorCode } from '../http/errors.js';
import { ACCOUNT_ID_PATTERN } from '../http/identifiers.js';
import { ErrorEnvelope } from '../resources/common-schemas.js';
import { assertValid } from '../validation/schema-validator.js';
import type { SettingsStore } from './settings-store.js';

const AccountId = Type.String({ pattern: ACCOUNT_ID_PATTERN });
const ResetBody = Type.Object({ accounts: Type.Optional(Type.Array(AccountId, { maxItems: 10_000 })) });
const SnapshotName = Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9._-]+$' });

function administratorsOnly(request: FastifyRequest, _reply: unknown, done: () => void): void {
  const principal = request.principal;
  if (principal === null || principal.accounts !== null || principal.readOnly) {
    throw new ApiError(403, [
      { code: ErrorCode.forbidden, message: 'The /_mailwarden/ routes need an administrator token (all accounts, read-write)' },
    ]);
  }
  done();
}

export function registerAdminRoutes(app: FastifyInstance, settings: SettingsStore): void {
  const options = (schema: Record<string, unknown>) => ({
    schema: { tags: ['admin'], ...schema, response: { '4xx': ErrorEnvelope } },
    config: { permission: 'write' as const },
    preHandler: administratorsOnly,
  });

  app.post('/_mailwarden/reset', options({}), async (request) => {
    // The body is optional: none (or `{}`) resets every account.
    if (request.body !== undefined) assertValid<{ accounts?: string[] }>(ResetBody, request.body);
    return success(await settings.reset(request.body?.accounts));
  });
  app.get('/_mailwarden/snapshots', options({}), async () => success(await settings.list()));
  app.post('/_mailwarden/snapshots', options({ body: Type.Object({ name: SnapshotName }) }), async (request, reply) =>
    reply.code(201).send(success(await settings.save((request.body as { name: string }).name))),
  );
  app.post('/_mailwarden/snapshots/:name/restore', options({ params: Type.Object({ name: SnapshotName }) }), async (request) =>
    success(await settings.restore((request.params as { name: string }).name)),
  );
}
