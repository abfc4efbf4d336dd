/** `POST .../email-security/evaluate`: a message as envelope fields (JSON) or as a raw `.eml`. */
import { accountPath, request } from '../api/client';

export interface Verdict {
  id: string | null;
  disposition: string;
  action: 'deliver' | 'drop';
  recipients: { address: string; disposition: string; action: string }[];
  matches: { resource: string; id: number; field: string; pattern: string; effect: string }[];
  explanation: string[];
}

export async function evaluateMessage(account: string, message: Record<string, unknown>): Promise<Verdict> {
  const path = accountPath(account, '/email-security/evaluate');
  return (await request<Verdict[]>('POST', path, { messages: [message] })).result[0];
}

export async function evaluateEml(account: string, eml: string): Promise<Verdict> {
  const path = accountPath(account, '/email-security/evaluate');
  return (await request<Verdict[]>('POST', path, eml, { contentType: 'message/rfc822' })).result[0];
}

/** Addresses separated by commas, semicolons, spaces or line breaks. */
export function addressList(text: string): string[] {
  return text.split(/[\s,;]+/).filter(Boolean);
}
