/** The session endpoints: sign in with a token, read the current session, sign out, list accounts. */
import { request } from './client';

export type Permission = 'read' | 'write' | 'admin';

export interface Session {
  token_id: string;
  name: string;
  permission: Permission;
  /** The accounts the token is bound to; null for an all-accounts token. */
  accounts: string[] | null;
  expires_at: string;
  /** How the API names records (MAILWARDEN_API_IDS): integer ids, or today's uuid ids. */
  api_ids: 'integer' | 'uuid';
}

export function canWrite(session: Session): boolean {
  return session.permission !== 'read';
}

export async function signIn(token: string): Promise<Session> {
  return (await request<Session>('POST', '/dashboard/session', { token })).result;
}

/** The session behind the cookie, or null when there is none (or it ended). */
export async function currentSession(): Promise<Session | null> {
  const response = await fetch('/dashboard/session', { headers: { 'X-Mailwarden-Dashboard': '1' }, credentials: 'same-origin' });
  if (!response.ok) return null;
  return ((await response.json()) as { result: Session }).result;
}

export async function signOut(): Promise<void> {
  await request('DELETE', '/dashboard/session');
}

export async function listAccounts(): Promise<string[]> {
  return (await request<string[]>('GET', '/dashboard/accounts')).result;
}
