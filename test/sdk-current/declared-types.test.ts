/** The checker of the SDK's declared types finds each kind of difference, so a clean result means something. */
import { describe, expect, it } from 'vitest';
import { declaredTypeProblems } from './declared-types.js';

const policy = {
  id: '3f1b9b4e-8f3c-4b6e-9c1a-2d5e7f9a0b1c',
  created_at: '2026-01-01T00:00:00.000Z',
  last_modified: '2026-01-01T00:00:00.000Z',
  modified_at: '2026-01-01T00:00:00.000Z',
  comments: null,
  is_acceptable_sender: false,
  is_exempt_recipient: false,
  is_recipient: false,
  is_regex: false,
  is_sender: true,
  is_spoof: false,
  is_trusted_sender: true,
  pattern: 'a@example.com',
  pattern_type: 'EMAIL',
  verify_sender: true,
};

describe('declaredTypeProblems', () => {
  it('accepts a record of the declared type', () => {
    expect(declaredTypeProblems('allow-policies', 'AllowPolicyGetResponse', policy)).toEqual([]);
  });

  it('names a number where the SDK declares a string id', () => {
    expect(declaredTypeProblems('allow-policies', 'AllowPolicyGetResponse', { ...policy, id: 7 })).toEqual([
      'AllowPolicyGetResponse.id: 7 is not string',
    ]);
  });

  it('names a missing required field, an undeclared field and a value outside an enum', () => {
    const { created_at: _created, ...rest } = policy;
    expect(declaredTypeProblems('allow-policies', 'AllowPolicyGetResponse', { ...rest, pattern_type: 'URL', extra: 1 })).toEqual([
      'AllowPolicyGetResponse.created_at: missing, but AllowPolicyGetResponse requires it',
      `AllowPolicyGetResponse.pattern_type: "URL" is not 'EMAIL' | 'DOMAIN' | 'IP' | 'UNKNOWN'`,
      'AllowPolicyGetResponse.extra: not a field of AllowPolicyGetResponse',
    ]);
  });

  it('follows arrays, nulls and nested interfaces of a namespace', () => {
    const domain = { authorization: { authorized: 'yes', timestamp: 't' }, regions: ['GLOBAL', 'MARS'], folder: null };
    expect(declaredTypeProblems('domains', 'DomainGetResponse', domain)).toEqual([
      'DomainGetResponse.authorization: {"authorized":"yes","timestamp":"t"} is not DomainGetResponse.Authorization | null',
      "DomainGetResponse.regions[1]: \"MARS\" is not 'GLOBAL' | 'AU' | 'DE' | 'IN' | 'US'",
    ]);
    const batch = { deletes: [{ id: 1 }], patches: [], posts: [], puts: [] };
    expect(declaredTypeProblems('domains', 'DomainBatchResponse', batch)).toEqual(['DomainBatchResponse.deletes[0].id: 1 is not string']);
  });
});
