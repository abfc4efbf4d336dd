/** What every part of the shared resource contract needs: the fixture, a client per fresh account, shared checks. */
import { expect } from 'vitest';
import type { TestServer } from '../../helpers/server.js';
import type { ResourceFixture } from '../fixtures.js';
import { client, expectError, type Client, type Values } from '../support.js';

export const MISSING_ID = 2147483647;
export const REJECTED_IPS = [
  '10.0.0.1',
  '192.168.1.0/24',
  '127.0.0.1',
  '169.254.1.1',
  '0.0.0.0',
  '255.255.255.255',
  '::1',
  'fe80::1',
  'fc00::1',
  '::ffff:10.0.0.1',
];
export const ACCEPTED_IPS = ['8.8.8.8', '1.2.3.0/24', '2001:4860::/32'];
export const MALFORMED_IDS = ['abc', '0', '-1', '1.5', '2147483648', '1e3'];

/** Sorted copy: by `field` in `direction`, ties by id ascending. Strings compare by code unit. */
export function expectedOrder(records: any[], field: string, direction: 'asc' | 'desc'): number[] {
  return [...records]
    .sort((a, b) => {
      const x = a[field];
      const y = b[field];
      if (x !== y) {
        const cmp = x < y ? -1 : 1;
        return direction === 'asc' ? cmp : -cmp;
      }
      return a.id - b.id;
    })
    .map((r) => r.id);
}

export interface ContractContext {
  fx: ResourceFixture;
  server: () => TestServer;
  /** A client of the fixture's collection, over a fresh account unless one is given. */
  api: (account?: string) => Client;
  /** What `fx.patch` must make visible: its own fields plus mirrored ones (e.g. deprecated aliases). */
  patchExpect: Values;
  /** Expects a create of `body` to be a 400/1001 naming exactly `pointer`, and the account to be empty still. */
  expectRejectedCreate: (c: Client, body: unknown, pointer: string, message?: RegExp) => Promise<void>;
}

export function contractContext(fx: ResourceFixture, server: () => TestServer): ContractContext {
  return {
    fx,
    server,
    api: (account) => client(server().origin, fx.name, account),
    patchExpect: { ...fx.patch, ...(fx.patchAlso ?? {}) },
    async expectRejectedCreate(c, body, pointer, message) {
      const response = await c.create(body);
      expectError(response, 400, 1001, [pointer]);
      if (message) expect(response.body.errors[0].message).toMatch(message);
      expect(await c.total()).toBe(0);
    },
  };
}
