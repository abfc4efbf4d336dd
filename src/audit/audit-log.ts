/**
 * The audit trail: one append-only entry per successful change, written by the same transaction as
 * the change itself, so a change without its entry (or an entry for a change that rolled back) cannot
 * exist. Entries are served in the shape of Cloudflare's account audit logs.
 */
import { randomUUID } from 'node:crypto';
import { sql, type SqlBool } from 'kysely';
import type { Executor } from '../db/executor.js';
import { chunkRows, prepareQuery } from '../db/prepared-query.js';

export type AuditAction = 'create' | 'update' | 'delete';

/** Who made a change and from where; carried from the request into the service. */
export interface ChangeContext {
  tokenId: string | null;
  tokenName: string;
  email: string | null;
  clientIp: string;
  requestId: string;
}

export interface AuditChange {
  accountId: string;
  action: AuditAction;
  resourceType: string;
  resourceId: number;
  before: unknown;
  after: unknown;
}

export interface AuditQuery {
  page: number;
  perPage: number;
  direction: 'asc' | 'desc';
  since?: string;
  before?: string;
  action?: string;
  actorIp?: string;
  actorEmail?: string;
  resourceType?: string;
  resourceId?: string;
  id?: string;
}

interface AuditRow {
  seq: number;
  id: string;
  account_id: string;
  created_at: string;
  token_id: string | null;
  token_name: string | null;
  actor_email: string | null;
  client_ip: string | null;
  request_id: string | null;
  action: string;
  resource_type: string;
  resource_id: string;
  old_value: string | null;
  new_value: string | null;
}

function present(row: AuditRow) {
  return {
    id: row.id,
    action: { result: true, type: row.action },
    actor: { id: row.token_id, email: row.actor_email, ip: row.client_ip, type: 'user' },
    interface: 'API',
    metadata: { token_id: row.token_id, token_name: row.token_name, request_id: row.request_id },
    newValue: row.new_value,
    newValueJson: row.new_value === null ? null : (JSON.parse(row.new_value) as unknown),
    oldValue: row.old_value,
    oldValueJson: row.old_value === null ? null : (JSON.parse(row.old_value) as unknown),
    owner: { id: row.account_id },
    resource: { id: row.resource_id, type: row.resource_type },
    when: row.created_at,
  };
}

const AUDIT_COLUMNS = [
  'id',
  'account_id',
  'created_at',
  'token_id',
  'token_name',
  'actor_email',
  'client_ip',
  'request_id',
  'action',
  'resource_type',
  'resource_id',
  'old_value',
  'new_value',
] as const;

type AuditColumns = Record<(typeof AUDIT_COLUMNS)[number], unknown>;

function toRow(context: ChangeContext, change: AuditChange): AuditColumns {
  return {
    id: randomUUID(),
    account_id: change.accountId,
    created_at: new Date().toISOString(),
    token_id: context.tokenId,
    token_name: context.tokenName,
    actor_email: context.email,
    client_ip: context.clientIp,
    request_id: context.requestId,
    action: change.action,
    resource_type: change.resourceType,
    resource_id: String(change.resourceId),
    old_value: change.before === undefined ? null : JSON.stringify(change.before),
    new_value: change.after === undefined ? null : JSON.stringify(change.after),
  };
}

export function createAuditLog(db: Executor) {
  // Every change writes an entry, mostly one: that insert is compiled once (for this store's dialect).
  const insertOne = prepareQuery<(typeof AUDIT_COLUMNS)[number]>((executor, value) =>
    executor.insertInto('audit_log').values(Object.fromEntries(AUDIT_COLUMNS.map((column) => [column, value(column)]))),
  );

  /** Appends entries in the given order, with as few statements as the parameter limit allows. */
  async function recordAll(executor: Executor, context: ChangeContext, changes: AuditChange[]): Promise<void> {
    const rows = changes.map((change) => toRow(context, change));
    if (rows.length === 1) {
      await insertOne(executor, rows[0]);
      return;
    }
    for (const chunk of chunkRows(rows, AUDIT_COLUMNS.length)) await executor.insertInto('audit_log').values(chunk).execute();
  }

  return {
    /** Appends one entry; call it with the transaction that makes the change. */
    record: (executor: Executor, context: ChangeContext, change: AuditChange) => recordAll(executor, context, [change]),

    /** Appends one entry per change, in order, in the transaction that makes them. */
    recordAll,

    /** Entries of one account, newest first unless asked otherwise, with the total matching the filters. */
    async list(accountId: string, query: AuditQuery) {
      let base = db.selectFrom('audit_log').where('account_id', '=', accountId);
      const equals: [string, string | undefined][] = [
        ['action', query.action],
        ['client_ip', query.actorIp],
        ['resource_type', query.resourceType],
        ['resource_id', query.resourceId],
        ['id', query.id],
      ];
      for (const [column, value] of equals) if (value !== undefined) base = base.where(column, '=', value);
      if (query.actorEmail !== undefined) {
        base = base.where(sql<SqlBool>`lower(actor_email) = ${query.actorEmail.toLowerCase()}`);
      }
      if (query.since !== undefined) base = base.where('created_at', '>=', new Date(query.since).toISOString());
      if (query.before !== undefined) base = base.where('created_at', '<', new Date(query.before).toISOString());
      const { total } = await base.select(sql<number>`count(*)`.as('total')).executeTakeFirstOrThrow();
      const rows = (await base
        .selectAll()
        .orderBy('created_at', query.direction)
        .orderBy('seq', query.direction)
        .limit(query.perPage)
        .offset((query.page - 1) * query.perPage)
        .execute()) as AuditRow[];
      return { entries: rows.map(present), total: Number(total) };
    },
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
