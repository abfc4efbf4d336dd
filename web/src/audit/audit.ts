/** `GET /accounts/{account}/audit_logs`: who changed what, newest first, with the API's filters. */
import { accountPath, query, request, type ResultInfo } from '../api/client';

export interface AuditEntry {
  id: string;
  action: { type: string; result: boolean };
  actor: { id: string | null; email: string | null; ip: string | null; type: string };
  metadata: { token_id: string | null; token_name: string | null; request_id: string | null };
  oldValueJson: Record<string, unknown> | null;
  newValueJson: Record<string, unknown> | null;
  resource: { id: string; type: string };
  when: string;
}

/** The API's filter parameters (`action.type`, `resource.type`, ...) by name. */
export type AuditFilters = Record<string, string>;

export async function listAudit(account: string, page: number, perPage: number, filters: AuditFilters) {
  const envelope = await request<AuditEntry[]>('GET', accountPath(account, `/audit_logs${query({ page, per_page: perPage, ...filters })}`));
  return { entries: envelope.result, info: envelope.result_info as ResultInfo };
}
