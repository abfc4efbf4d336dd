/**
 * The settings-changed notification between replicas: `origin accountId [changes]`, the changes left
 * out when they would pass PostgreSQL's 8000-byte payload limit, and payloads of earlier versions (a
 * bare account id) or damaged ones still read as "this account changed".
 */
import { describe, expect, it } from 'vitest';
import type { SettingsChange } from '../../src/engine/index.js';
import { notificationPayload, readNotification } from '../../src/policy/compiled-settings-cache.js';

const account = '023e105f4ecef8ad9ca31a8372d0c353';
const change: SettingsChange = {
  resource: 'block_senders',
  action: 'create',
  id: 7,
  after: { id: 7, pattern: 'a b@evil.example', pattern_type: 'EMAIL', is_regex: false },
};

describe('settings-changed notifications', () => {
  it('carry the changes, spaces in them included', () => {
    const payload = notificationPayload('origin1', account, [change]);
    expect(readNotification(payload)).toEqual({ origin: 'origin1', accountId: account, changes: [change] });
  });

  it('leave the changes out when they would not fit in a PostgreSQL notification', () => {
    const many = Array.from({ length: 100 }, (_, i) => ({ ...change, id: i }));
    const payload = notificationPayload('origin1', account, many);
    expect(Buffer.byteLength(payload)).toBeLessThan(8000);
    expect(readNotification(payload)).toEqual({ origin: 'origin1', accountId: account });
  });

  it('read a bare account id (an earlier version) and a damaged change list as "this account changed"', () => {
    expect(readNotification(account)).toEqual({ accountId: account });
    expect(readNotification(`origin1 ${account} [{"resource":`)).toEqual({ origin: 'origin1', accountId: account });
    expect(readNotification(`origin1 ${account} {"not":"a list"}`)).toEqual({ origin: 'origin1', accountId: account, changes: undefined });
  });
});
