/**
 * The shared contract every settings resource must honour (spec §1, Decisions 3-10, 15), defined as
 * vitest blocks for one fixture. Each test uses its own fresh account, so tests never see each other's data.
 */
import { describe, expect, it } from 'vitest';
import { request, settingsPath } from '../helpers/http.js';
import type { TestServer } from '../helpers/server.js';
import type { ResourceFixture } from './fixtures.js';
import {
  client,
  expectError,
  expectSuccess,
  expectTimestamp,
  ids,
  newAccount,
  seed,
  withoutMeta,
  type Client,
  type Values,
} from './support.js';

const MISSING_ID = 2147483647;
const REJECTED_IPS = ['10.0.0.1', '192.168.1.0/24', '127.0.0.1', '169.254.1.1', '0.0.0.0', '255.255.255.255', '::1', 'fe80::1', 'fc00::1', '::ffff:10.0.0.1'];
const ACCEPTED_IPS = ['8.8.8.8', '1.2.3.0/24', '2001:4860::/32'];
const MALFORMED_IDS = ['abc', '0', '-1', '1.5', '2147483648', '1e3'];

/** Sorted copy: by `field` in `direction`, ties by id ascending (Decision 5). Strings compare by code unit. */
function expectedOrder(records: any[], field: string, direction: 'asc' | 'desc'): number[] {
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

export function runResourceContract(fx: ResourceFixture, server: () => TestServer): void {
  const api = (account?: string): Client => client(server().origin, fx.name, account);
  /** What `fx.patch` must make visible: its own fields plus mirrored ones (e.g. deprecated aliases). */
  const patchExpect: Values = { ...fx.patch, ...(fx.patchAlso ?? {}) };

  /** Expects `response` to be a 400/1001 naming exactly `pointer`, and the account to be empty still. */
  async function expectRejectedCreate(c: Client, body: unknown, pointer: string, message?: RegExp) {
    const response = await c.create(body);
    expectError(response, 400, 1001, [pointer]);
    if (message) expect(response.body.errors[0].message).toMatch(message);
    expect(await c.total()).toBe(0);
  }

  // ------------------------------------------------------------------------------------------------
  describe('create', () => {
    it('answers 201 with the envelope, every record field, an integer id and equal ISO timestamps', async () => {
      const c = api();
      const response = await c.create(fx.creates[0]);
      expectSuccess(response, 201);
      const record = response.body.result;
      expect(Object.keys(record).sort()).toEqual([...fx.keys].sort());
      expect(Number.isInteger(record.id)).toBe(true);
      expect(record.id).toBeGreaterThan(0);
      expect(record.id).toBeLessThanOrEqual(2147483647);
      expectTimestamp(record.created_at);
      expectTimestamp(record.last_modified);
      expect(record.last_modified).toBe(record.created_at);
      if (fx.keys.includes('modified_at')) expect(record.modified_at).toBe(record.created_at);
      for (const [key, value] of Object.entries(fx.creates[0])) {
        if (fx.keys.includes(key)) expect(record[key], key).toEqual(value);
      }
    });

    it('fills every unset field with null or its default (minimal body)', async () => {
      const c = api();
      const response = await c.create(fx.minimal.body);
      expectSuccess(response, 201);
      expect(Object.keys(response.body.result).sort()).toEqual([...fx.keys].sort());
      expect(withoutMeta(response.body.result)).toEqual(fx.minimal.expected);
    });

    it('creates every fixture body, echoing each written field', async () => {
      const c = api();
      const records = await seed(c, fx.creates);
      records.forEach((record, index) => {
        for (const [key, value] of Object.entries(fx.creates[index])) {
          if (fx.keys.includes(key)) expect(record[key], `${index}.${key}`).toEqual(value);
        }
      });
      expect(new Set(ids(records)).size).toBe(records.length);
      expect(await c.total()).toBe(fx.creates.length);
    });

    it('assigns increasing ids in creation order', async () => {
      const c = api();
      const records = await seed(c, fx.creates.slice(0, 3));
      expect(records[1].id).toBeGreaterThan(records[0].id);
      expect(records[2].id).toBeGreaterThan(records[1].id);
    });

    for (const valid of fx.validCreates) {
      it(`accepts ${valid.name}`, async () => {
        const c = api();
        const response = await c.create(valid.body);
        expectSuccess(response, 201);
        for (const [key, value] of Object.entries(valid.body)) {
          if (fx.keys.includes(key)) expect(response.body.result[key], key).toEqual(value);
        }
      });
    }

    it('ignores a client-supplied id, created_at and last_modified', async () => {
      const c = api();
      const response = await c.create({
        ...fx.creates[0],
        id: 1234567,
        created_at: '2000-01-01T00:00:00Z',
        last_modified: '2000-01-02T00:00:00Z',
        modified_at: '2000-01-03T00:00:00Z',
      });
      expectSuccess(response, 201);
      const record = response.body.result;
      expect(record.id).not.toBe(1234567);
      expect(record.created_at.startsWith('2000-')).toBe(false);
      expect(record.last_modified).toBe(record.created_at);
      expect(Math.abs(Date.parse(record.created_at) - Date.now())).toBeLessThan(60_000);
      expect((await c.get(1234567)).status).toBe(404);
    });

    it('ignores unknown properties', async () => {
      const c = api();
      const response = await c.create({ ...fx.creates[0], unknown_property: 'x', another: { nested: true } });
      expectSuccess(response, 201);
      expect(Object.keys(response.body.result).sort()).toEqual([...fx.keys].sort());
    });
  });

  // ------------------------------------------------------------------------------------------------
  describe('get', () => {
    it('answers 200 with the same record as create', async () => {
      const c = api();
      const [created] = await seed(c, [fx.creates[0]]);
      const response = await c.get(created.id);
      expectSuccess(response, 200);
      expect(response.body.result).toEqual(created);
    });

    it('answers 404/1002 for an unknown id', async () => {
      const c = api();
      await seed(c, [fx.creates[0]]);
      expectError(await c.get(MISSING_ID), 404, 1002);
    });

    it('serves the same record under the /accounts alias (Decision 1)', async () => {
      const c = api();
      const [created] = await seed(c, [fx.creates[0]]);
      const response = await request(c.origin, 'GET', settingsPath(`${fx.name}/${created.id}`, c.account, ''));
      expectSuccess(response, 200);
      expect(response.body.result).toEqual(created);
    });
  });

  // ------------------------------------------------------------------------------------------------
  describe('patch', () => {
    it('changes only the given fields, moves last_modified and keeps created_at', async () => {
      const c = api();
      const [before] = await seed(c, [fx.creates[0]]);
      const response = await c.patch(before.id, fx.patch);
      expectSuccess(response, 200);
      const after = response.body.result;
      expect(Object.keys(after).sort()).toEqual([...fx.keys].sort());
      for (const key of Object.keys(withoutMeta(before))) {
        if (key in patchExpect) expect(after[key], key).toEqual(patchExpect[key]);
        else expect(after[key], key).toEqual(before[key]);
      }
      expect(after.id).toBe(before.id);
      expect(after.created_at).toBe(before.created_at);
      expectTimestamp(after.last_modified);
      expect(Date.parse(after.last_modified)).toBeGreaterThan(Date.parse(before.last_modified));
      if (fx.keys.includes('modified_at')) expect(after.modified_at).toBe(after.last_modified);
      const reread = await c.get(before.id);
      expect(reread.body.result).toEqual(after);
    });

    it('moves last_modified again on a second patch', async () => {
      const c = api();
      const [before] = await seed(c, [fx.creates[0]]);
      const first = await c.patch(before.id, fx.patch);
      const second = await c.patch(before.id, fx.patch);
      expect(second.status).toBe(200);
      expect(Date.parse(second.body.result.last_modified)).toBeGreaterThan(Date.parse(first.body.result.last_modified));
      expect(second.body.result.created_at).toBe(before.created_at);
    });

    it('answers {} with 200 and the unchanged record', async () => {
      const c = api();
      const [before] = await seed(c, [fx.creates[0]]);
      const response = await c.patch(before.id, {});
      expectSuccess(response, 200);
      expect(withoutMeta(response.body.result)).toEqual(withoutMeta(before));
      expect(response.body.result.id).toBe(before.id);
      expect(response.body.result.created_at).toBe(before.created_at);
    });

    it('ignores unknown and read-only properties', async () => {
      const c = api();
      const [before] = await seed(c, [fx.creates[0]]);
      const response = await c.patch(before.id, { unknown_property: 1, id: 999, created_at: '2000-01-01T00:00:00Z' });
      expectSuccess(response, 200);
      expect(response.body.result.id).toBe(before.id);
      expect(response.body.result.created_at).toBe(before.created_at);
      expect(withoutMeta(response.body.result)).toEqual(withoutMeta(before));
    });

    it('answers 404/1002 for an unknown id', async () => {
      const c = api();
      expectError(await c.patch(MISSING_ID, fx.patch), 404, 1002);
    });

    for (const { field, outcome } of fx.nullPatches) {
      const label = outcome === 'clears' ? 'clears it' : outcome === 'unchanged' ? 'leaves it unchanged' : 'is a 400';
      it(`null for ${field} ${label} (§1.12)`, async () => {
        const c = api();
        const [before] = await seed(c, [fx.creates[0]]);
        if (outcome !== '400') expect(before[field], 'fixture must start with a non-null value').not.toBeNull();
        const response = await c.patch(before.id, { [field]: null });
        if (outcome === '400') {
          expectError(response, 400, 1001, [`/${field}`]);
          expect((await c.get(before.id)).body.result).toEqual(before);
          return;
        }
        expectSuccess(response, 200);
        const expected = { ...withoutMeta(before), ...(outcome === 'clears' ? { [field]: null } : {}) };
        expect(withoutMeta(response.body.result)).toEqual(expected);
        expect(withoutMeta((await c.get(before.id)).body.result)).toEqual(expected);
      });
    }

    for (const invalid of fx.invalidPatches) {
      it(`rejects ${invalid.name} with 400 at ${invalid.pointer} and leaves the record unchanged`, async () => {
        const c = api();
        const records = await seed(c, fx.creates);
        const target = records[invalid.target];
        const response = await c.patch(target.id, invalid.body);
        expectError(response, 400, 1001, [invalid.pointer]);
        if (invalid.message) expect(response.body.errors[0].message).toMatch(invalid.message);
        expect((await c.get(target.id)).body.result).toEqual(target);
      });
    }
  });

  // ------------------------------------------------------------------------------------------------
  describe('delete', () => {
    it('answers 200 {id}; the record is then gone (get 404, delete again 404, not listed)', async () => {
      const c = api();
      const [keep, gone] = await seed(c, fx.creates.slice(0, 2));
      const response = await c.remove(gone.id);
      expectSuccess(response, 200);
      expect(response.body.result).toEqual({ id: gone.id });
      expectError(await c.get(gone.id), 404, 1002);
      expectError(await c.remove(gone.id), 404, 1002);
      expectError(await c.patch(gone.id, fx.patch), 404, 1002);
      expect(ids(await c.all())).toEqual([keep.id]);
    });

    it('answers 404/1002 for an unknown id', async () => {
      expectError(await api().remove(MISSING_ID), 404, 1002);
    });

    it('never reuses the id of a deleted record', async () => {
      const c = api();
      const [first, second] = await seed(c, fx.creates.slice(0, 2));
      await c.remove(second.id);
      const [third] = await seed(c, [fx.creates[2]]);
      expect(third.id).toBeGreaterThan(second.id);
      expect(third.id).not.toBe(first.id);
    });
  });

  // ------------------------------------------------------------------------------------------------
  describe('account isolation (§1.1)', () => {
    it('another account cannot get, patch or delete the record (404), and it stays intact', async () => {
      const owner = api();
      const stranger = api();
      const [record] = await seed(owner, [fx.creates[0]]);
      expectError(await stranger.get(record.id), 404, 1002);
      expectError(await stranger.patch(record.id, fx.patch), 404, 1002);
      expectError(await stranger.remove(record.id), 404, 1002);
      expect((await owner.get(record.id)).body.result).toEqual(record);
    });

    it('lists only the caller account records', async () => {
      const a = api();
      const b = api();
      const inA = await seed(a, fx.creates.slice(0, 2));
      const inB = await seed(b, fx.creates.slice(2, 3));
      const listA = await a.list();
      expect(ids(listA.body.result)).toEqual(ids(inA));
      expect(listA.body.result_info.total_count).toBe(2);
      const listB = await b.list();
      expect(ids(listB.body.result)).toEqual(ids(inB));
      expect(listB.body.result_info.total_count).toBe(1);
      const empty = await api().list();
      expect(empty.body.result).toEqual([]);
      expect(empty.body.result_info.total_count).toBe(0);
    });

    if (fx.batch !== 'none') {
      it('a batch in another account cannot delete the record (404) and applies nothing', async () => {
        const owner = api();
        const stranger = api();
        const [record] = await seed(owner, [fx.creates[0]]);
        const [own] = await seed(stranger, [fx.creates[1]]);
        const body =
          fx.batch === 'full'
            ? { deletes: [{ id: own.id }, { id: record.id }], patches: [], puts: [], posts: [] }
            : { deletes: [{ id: own.id }, { id: record.id }] };
        const response = await stranger.batch(body);
        expectError(response, 404, 1002, ['/deletes/1/id']);
        expect((await owner.get(record.id)).body.result).toEqual(record);
        expect((await stranger.get(own.id)).status).toBe(200);
      });
    }

    if (fx.batch === 'full') {
      it('a batch in another account cannot patch or put the record (404)', async () => {
        const owner = api();
        const stranger = api();
        const [record] = await seed(owner, [fx.creates[0]]);
        const patched = await stranger.batch({ deletes: [], patches: [{ id: record.id, ...fx.patch }], puts: [], posts: [] });
        expectError(patched, 404, 1002, ['/patches/0/id']);
        const put = await stranger.batch({ deletes: [], patches: [], puts: [{ id: record.id, ...fx.batchFull!.put }], posts: [] });
        expectError(put, 404, 1002, ['/puts/0/id']);
        expect((await owner.get(record.id)).body.result).toEqual(record);
      });
    }
  });

  // ------------------------------------------------------------------------------------------------
  describe('list: pagination (§1.9)', () => {
    it('answers result_info with exactly page, per_page, count, total_count; default page 1, per_page 20', async () => {
      const c = api();
      const bodies = Array.from({ length: 21 }, (_, i) => fx.generate(i));
      const records = await seed(c, bodies);
      const response = await c.list();
      expectSuccess(response, 200, { list: true });
      expect(Object.keys(response.body.result_info).sort()).toEqual(['count', 'page', 'per_page', 'total_count']);
      expect(response.body.result_info).toEqual({ page: 1, per_page: 20, count: 20, total_count: 21 });
      expect(ids(response.body.result)).toEqual(ids(records).slice(0, 20));
      for (const record of response.body.result) expect(Object.keys(record).sort()).toEqual([...fx.keys].sort());
      const second = await c.list({ page: 2 });
      expect(second.body.result_info).toEqual({ page: 2, per_page: 20, count: 1, total_count: 21 });
      expect(ids(second.body.result)).toEqual([records[20].id]);
    });

    it('pages through with per_page, and a page beyond the end is 200 [] with the right total', async () => {
      const c = api();
      const records = await seed(c, fx.creates.slice(0, 5));
      const pages: number[][] = [];
      for (const page of [1, 2, 3]) {
        const response = await c.list({ page, per_page: 2 });
        expectSuccess(response, 200, { list: true });
        expect(response.body.result_info).toEqual({ page, per_page: 2, count: page === 3 ? 1 : 2, total_count: 5 });
        pages.push(ids(response.body.result));
      }
      expect(pages.flat()).toEqual(ids(records));
      const beyond = await c.list({ page: 4, per_page: 2 });
      expectSuccess(beyond, 200, { list: true });
      expect(beyond.body.result).toEqual([]);
      expect(beyond.body.result_info).toEqual({ page: 4, per_page: 2, count: 0, total_count: 5 });
      const far = await c.list({ page: 1000 });
      expect(far.status).toBe(200);
      expect(far.body.result).toEqual([]);
      expect(far.body.result_info.total_count).toBe(5);
    });

    it('accepts per_page 1000 and rejects 1001 with 400/1001', async () => {
      const c = api();
      await seed(c, fx.creates.slice(0, 2));
      const ok = await c.list({ per_page: 1000 });
      expectSuccess(ok, 200, { list: true });
      expect(ok.body.result_info).toEqual({ page: 1, per_page: 1000, count: 2, total_count: 2 });
      const tooMany = await c.list({ per_page: 1001 });
      expectError(tooMany, 400, 1001);
      expect(JSON.stringify(tooMany.body.errors)).toContain('per_page');
    });

    for (const [param, value] of [
      ['page', '0'],
      ['page', '-1'],
      ['page', 'abc'],
      ['page', '1.5'],
      ['per_page', '0'],
      ['per_page', '-5'],
      ['per_page', 'ten'],
    ] as const) {
      it(`rejects ${param}=${value} with 400/1001`, async () => {
        const response = await api().list({ [param]: value });
        expectError(response, 400, 1001);
        expect(JSON.stringify(response.body.errors)).toContain(param);
      });
    }
  });

  // ------------------------------------------------------------------------------------------------
  describe('list: sorting (§1.10, Decision 5)', () => {
    it('defaults to id ascending', async () => {
      const c = api();
      const records = await seed(c, fx.creates);
      const response = await c.list();
      expect(ids(response.body.result)).toEqual([...ids(records)].sort((a, b) => a - b));
    });

    for (const [order, field] of Object.entries(fx.sort)) {
      for (const direction of ['asc', 'desc'] as const) {
        it(`order=${order}&direction=${direction} sorts by ${field}, ties by id ascending`, async () => {
          const c = api();
          const records = await seed(c, fx.creates);
          const response = await c.list({ order, direction });
          expectSuccess(response, 200, { list: true });
          expect(ids(response.body.result)).toEqual(expectedOrder(records, field, direction));
          expect(response.body.result_info.total_count).toBe(records.length);
        });
      }

      it(`order=${order} without direction is ascending`, async () => {
        const c = api();
        const records = await seed(c, fx.creates);
        const response = await c.list({ order });
        expect(ids(response.body.result)).toEqual(expectedOrder(records, field, 'asc'));
      });

      it(`order=${order} is stable across pages`, async () => {
        const c = api();
        const records = await seed(c, fx.creates);
        const collected: number[] = [];
        for (let page = 1; page <= records.length; page++) {
          const response = await c.list({ order, direction: 'desc', per_page: 1, page });
          collected.push(...ids(response.body.result));
        }
        expect(collected).toEqual(expectedOrder(records, field, 'desc'));
      });
    }

    it('direction=desc without order sorts by id descending', async () => {
      const c = api();
      const records = await seed(c, fx.creates);
      const response = await c.list({ direction: 'desc' });
      expect(response.status).toBe(200);
      expect(ids(response.body.result)).toEqual([...ids(records)].sort((a, b) => b - a));
    });

    it('rejects direction=sideways with 400/1001', async () => {
      const response = await api().list({ direction: 'sideways' });
      expectError(response, 400, 1001);
      expect(JSON.stringify(response.body.errors)).toContain('direction');
    });

    it('rejects an unknown order key with 400/1001', async () => {
      const response = await api().list({ order: 'id_or_whatever' });
      expectError(response, 400, 1001);
      expect(JSON.stringify(response.body.errors)).toContain('order');
    });
  });

  // ------------------------------------------------------------------------------------------------
  describe('list: search (§1.11, Decision 6)', () => {
    for (const search of fx.search) {
      it(`search ${JSON.stringify(search.query.search)}: ${search.name}`, async () => {
        const c = api();
        const records = await seed(c, fx.creates);
        const response = await c.list(search.query);
        expectSuccess(response, 200, { list: true });
        const expected = search.expected.map((i) => records[i].id);
        expect(ids(response.body.result)).toEqual(expected);
        expect(response.body.result_info.total_count).toBe(expected.length);
        expect(response.body.result_info.count).toBe(expected.length);
      });
    }

    it('an empty search is no filter', async () => {
      const c = api();
      const records = await seed(c, fx.creates);
      const response = await c.list({ search: '' });
      expectSuccess(response, 200, { list: true });
      expect(ids(response.body.result)).toEqual(ids(records));
      expect(response.body.result_info.total_count).toBe(records.length);
    });

    it('search total_count counts all matches, not just the page', async () => {
      const c = api();
      const records = await seed(c, fx.creates);
      const widest = [...fx.search].sort((a, b) => b.expected.length - a.expected.length)[0];
      const response = await c.list({ ...widest.query, per_page: 1, page: 2 });
      expect(response.status).toBe(200);
      expect(response.body.result_info.total_count).toBe(widest.expected.length);
      expect(ids(response.body.result)).toEqual(widest.expected.slice(1, 2).map((i) => records[i].id));
    });
  });

  // ------------------------------------------------------------------------------------------------
  if (fx.filters.length > 0 || fx.badFilters.length > 0) {
    describe('list: filters (§1.11)', () => {
      for (const filter of fx.filters) {
        it(`${filter.name}`, async () => {
          const c = api();
          const records = await seed(c, fx.creates);
          const response = await c.list(filter.query);
          expectSuccess(response, 200, { list: true });
          const expected = filter.expected.map((i) => records[i].id);
          expect(ids(response.body.result)).toEqual(expected);
          expect(response.body.result_info.total_count).toBe(expected.length);
          if (expected.length > 1) {
            const paged = await c.list({ ...filter.query, per_page: 1 });
            expect(paged.body.result_info).toEqual({ page: 1, per_page: 1, count: 1, total_count: expected.length });
            expect(ids(paged.body.result)).toEqual([expected[0]]);
          }
        });
      }

      for (const bad of fx.badFilters) {
        it(`rejects ${bad.name} with 400/1001 naming ${bad.param}`, async () => {
          const response = await api().list(bad.query);
          expectError(response, 400, 1001);
          expect(JSON.stringify(response.body.errors)).toContain(bad.param);
        });
      }
    });
  }

  // ------------------------------------------------------------------------------------------------
  describe('validation: bad create bodies are 400/1001 with a pointer, nothing stored', () => {
    for (const invalid of fx.invalidCreates) {
      it(`rejects ${invalid.name} at ${invalid.pointer}`, async () => {
        await expectRejectedCreate(api(), invalid.body, invalid.pointer, invalid.message);
      });
    }

    it('rejects a JSON body that is not an object', async () => {
      const c = api();
      const response = await c.create('just a string');
      expectError(response, 400, 1001);
      expect(await c.total()).toBe(0);
    });

    it('rejects malformed JSON', async () => {
      const c = api();
      const response = await request(c.origin, 'POST', c.path(), { rawBody: '{"pattern": ' });
      expectError(response, 400, 1001);
      expect(await c.total()).toBe(0);
    });

    if (fx.senderPattern) {
      const body = fx.senderPattern;
      for (const ip of REJECTED_IPS) {
        it(`rejects the non-global IP pattern ${ip}`, async () => {
          await expectRejectedCreate(api(), body(ip, 'IP', false), '/pattern');
        });
      }
      for (const ip of ACCEPTED_IPS) {
        it(`accepts the global IP pattern ${ip}`, async () => {
          const response = await api().create(body(ip, 'IP', false));
          expectSuccess(response, 201);
          expect(response.body.result.pattern).toBe(ip);
          expect(response.body.result.pattern_type).toBe('IP');
        });
      }
      it('rejects a private IP in a PATCH too, record unchanged', async () => {
        const c = api();
        const [record] = await seed(c, [body('8.8.8.8', 'IP', false)]);
        expectError(await c.patch(record.id, { pattern: '192.168.1.0/24' }), 400, 1001, ['/pattern']);
        expect((await c.get(record.id)).body.result).toEqual(record);
      });
    }

    if (fx.regex) {
      const regex = fx.regex;
      for (const [name, pattern] of [
        ['a backreference', '(a)\\1'],
        ['a lookahead', '(?=x)'],
        ['a lookbehind', '(?<=x)y'],
      ] as const) {
        it(`rejects a regex with ${name} with a message mentioning RE2`, async () => {
          await expectRejectedCreate(api(), regex.body(pattern), regex.pointer, /RE2/);
        });
      }

      it('rejects a regex that does not compile at all', async () => {
        await expectRejectedCreate(api(), regex.body('([a-z'), regex.pointer);
      });

      it(`accepts a valid regex with ${regex.flag} true`, async () => {
        const pattern = '^(alerts|billing)-[0-9]+@.*\\.example\\.com$';
        const response = await api().create(regex.body(pattern));
        expectSuccess(response, 201);
        expect(response.body.result[regex.flag]).toBe(true);
        expect(response.body.result[regex.pointer.slice(1)]).toBe(pattern);
      });
    }
  });

  // ------------------------------------------------------------------------------------------------
  if (fx.batch === 'full') {
    const full = fx.batchFull!;
    describe('batch (§1.13, Decision 10)', () => {
      for (const missing of ['deletes', 'patches', 'puts', 'posts']) {
        it(`rejects a body without ${missing} with 400 at /${missing}, applying nothing`, async () => {
          const c = api();
          const [record] = await seed(c, [fx.creates[0]]);
          const body: Values = { deletes: [{ id: record.id }], patches: [], puts: [], posts: [fx.creates[1]] };
          delete body[missing];
          expectError(await c.batch(body), 400, 1001, [`/${missing}`]);
          expect(ids(await c.all())).toEqual([record.id]);
        });
      }

      it('answers 200 with deletes/patches/posts/puts in request order', async () => {
        const c = api();
        const [a, b, p, q] = await seed(c, fx.creates.slice(0, 4));
        const response = await c.batch({
          deletes: [{ id: a.id }],
          patches: [
            { id: q.id, ...fx.patch },
            { id: b.id, ...fx.patch },
          ],
          puts: [{ id: p.id, ...full.put }],
          posts: [fx.creates[4], fx.creates[1]],
        });
        expectSuccess(response, 200);
        const result = response.body.result;
        expect(Object.keys(result).sort()).toEqual(['deletes', 'patches', 'posts', 'puts']);
        expect(result.deletes).toEqual([{ id: a.id }]);

        expect(ids(result.patches)).toEqual([q.id, b.id]);
        for (const [index, before] of [q, b].entries()) {
          const after = result.patches[index];
          expect(Object.keys(after).sort()).toEqual([...fx.keys].sort());
          for (const key of Object.keys(withoutMeta(before))) {
            expect(after[key], key).toEqual(key in patchExpect ? patchExpect[key] : before[key]);
          }
          expect(after.created_at).toBe(before.created_at);
          expect(Date.parse(after.last_modified)).toBeGreaterThan(Date.parse(before.last_modified));
        }

        expect(ids(result.puts)).toEqual([p.id]);
        const put = result.puts[0];
        for (const [key, value] of Object.entries(full.put)) if (fx.keys.includes(key)) expect(put[key], key).toEqual(value);
        expect(put.comments).toBeNull();
        expect(put.created_at).toBe(p.created_at);
        expect(Date.parse(put.last_modified)).toBeGreaterThan(Date.parse(p.last_modified));

        expect(result.posts).toHaveLength(2);
        for (const [index, source] of [fx.creates[4], fx.creates[1]].entries()) {
          const post = result.posts[index];
          expect(Object.keys(post).sort()).toEqual([...fx.keys].sort());
          for (const [key, value] of Object.entries(source)) if (fx.keys.includes(key)) expect(post[key], key).toEqual(value);
          expect(post.id).toBeGreaterThan(q.id);
          expect(post.last_modified).toBe(post.created_at);
        }
        expect(result.posts[1].id).toBeGreaterThan(result.posts[0].id);

        const listed = await c.all();
        expect(ids(listed)).toEqual([b.id, p.id, q.id, ...ids(result.posts)]);
        expect(listed.find((r: any) => r.id === p.id)).toEqual(put);
        expect(listed.find((r: any) => r.id === b.id)).toEqual(result.patches[1]);
        expectError(await c.get(a.id), 404, 1002);
      });

      it('answers an all-empty batch with four empty arrays', async () => {
        const c = api();
        const response = await c.batch({ deletes: [], patches: [], puts: [], posts: [] });
        expectSuccess(response, 200);
        expect(response.body.result).toEqual({ deletes: [], patches: [], posts: [], puts: [] });
      });

      it('runs deletes before patches whatever the key order: a patch of a deleted id is 404 at /patches/0/id and nothing is applied', async () => {
        const c = api();
        const [a, b] = await seed(c, fx.creates.slice(0, 2));
        // Keys deliberately in reverse order: the server must still run deletes first.
        const response = await c.batch({ posts: [fx.creates[2]], puts: [], patches: [{ id: a.id, ...fx.patch }], deletes: [{ id: a.id }] });
        expectError(response, 404, 1002, ['/patches/0/id']);
        expect(await c.all()).toEqual([a, b]);
      });

      it('runs deletes before puts: a put of a deleted id is 404 at /puts/0/id and nothing is applied', async () => {
        const c = api();
        const [a, b] = await seed(c, fx.creates.slice(0, 2));
        const response = await c.batch({ deletes: [{ id: a.id }], patches: [{ id: b.id, ...fx.patch }], puts: [{ id: a.id, ...full.put }], posts: [] });
        expectError(response, 404, 1002, ['/puts/0/id']);
        expect(await c.all()).toEqual([a, b]);
      });

      it('runs patches before puts: the put wins on the same record', async () => {
        const c = api();
        const [a] = await seed(c, [fx.creates[0]]);
        const response = await c.batch({ deletes: [], patches: [{ id: a.id, ...fx.patch }], puts: [{ id: a.id, ...full.put }], posts: [] });
        expectSuccess(response, 200);
        for (const [key, value] of Object.entries(fx.patch)) {
          if (fx.keys.includes(key)) expect(response.body.result.patches[0][key], key).toEqual(value);
        }
        const final = (await c.get(a.id)).body.result;
        expect(final).toEqual(response.body.result.puts[0]);
        for (const [key, value] of Object.entries(full.put)) if (fx.keys.includes(key)) expect(final[key], key).toEqual(value);
        expect(final.comments).toBeNull();
        expect(Date.parse(final.last_modified)).toBeGreaterThan(Date.parse(response.body.result.patches[0].last_modified));
      });

      it('rejects an invalid post (400 at /posts/1/...) and applies nothing', async () => {
        const c = api();
        const [a, b] = await seed(c, fx.creates.slice(0, 2));
        const response = await c.batch({
          deletes: [{ id: a.id }],
          patches: [{ id: b.id, ...fx.patch }],
          puts: [],
          posts: [fx.creates[2], full.invalidPost],
        });
        expectError(response, 400, 1001, [`/posts/1${full.invalidPostPointer}`]);
        expect(await c.all()).toEqual([a, b]);
      });

      it('rejects a put missing a required field (400 at /puts/0/...) and applies nothing', async () => {
        const c = api();
        const [a, b] = await seed(c, fx.creates.slice(0, 2));
        const response = await c.batch({ deletes: [{ id: b.id }], patches: [], puts: [{ id: a.id, ...full.invalidPut }], posts: [] });
        expectError(response, 400, 1001, [`/puts/0${full.invalidPutPointer}`]);
        expect(await c.all()).toEqual([a, b]);
      });

      it('rejects a patch that makes the record invalid (400 at /patches/1/...) and applies nothing', async () => {
        const c = api();
        const records = await seed(c, fx.creates);
        const invalid = fx.invalidPatches.find((p) => p.target >= 2)!;
        expect(invalid, 'fixture needs an invalid patch of a record other than creates[0..1]').toBeDefined();
        const response = await c.batch({
          deletes: [{ id: records[1].id }],
          patches: [
            { id: records[0].id, ...fx.patch },
            { id: records[invalid.target].id, ...invalid.body },
          ],
          puts: [],
          posts: [],
        });
        expectError(response, 400, 1001, [`/patches/1${invalid.pointer}`]);
        expect(await c.all()).toEqual(records);
      });

      it('fails the whole batch with 404 on an unknown id in deletes, applying nothing', async () => {
        const c = api();
        const [a, b] = await seed(c, fx.creates.slice(0, 2));
        const response = await c.batch({ deletes: [{ id: a.id }, { id: MISSING_ID }], patches: [], puts: [], posts: [fx.creates[2]] });
        expectError(response, 404, 1002, ['/deletes/1/id']);
        expect(await c.all()).toEqual([a, b]);
      });

      it('treats a duplicate id in deletes as not found (404), applying nothing', async () => {
        const c = api();
        const [a, b] = await seed(c, fx.creates.slice(0, 2));
        const response = await c.batch({ deletes: [{ id: a.id }, { id: a.id }], patches: [], puts: [], posts: [] });
        expectError(response, 404, 1002, ['/deletes/1/id']);
        expect(await c.all()).toEqual([a, b]);
      });

      for (const array of ['deletes', 'patches', 'puts', 'posts']) {
        it(`rejects more than 1000 items in ${array} with 400`, async () => {
          const c = api();
          const [a] = await seed(c, [fx.creates[0]]);
          const items =
            array === 'deletes' || array === 'patches'
              ? Array.from({ length: 1001 }, (_, i) => ({ id: i + 1 }))
              : array === 'puts'
                ? Array.from({ length: 1001 }, (_, i) => ({ id: i + 1, ...full.put }))
                : Array.from({ length: 1001 }, (_, i) => fx.generate(i));
          const body: Values = { deletes: [], patches: [], puts: [], posts: [], [array]: items };
          const response = await c.batch(body);
          expectError(response, 400, 1001, [`/${array}`]);
          expect(await c.all()).toEqual([a]);
        });
      }

      it('accepts exactly 1000 posts', async () => {
        const c = api();
        const response = await c.batch({ deletes: [], patches: [], puts: [], posts: Array.from({ length: 1000 }, (_, i) => fx.generate(i)) });
        expectSuccess(response, 200);
        expect(response.body.result.posts).toHaveLength(1000);
        expect(await c.total()).toBe(1000);
      });

      it('rejects a deletes item without an integer id with 400 at /deletes/0/id', async () => {
        const c = api();
        const [a] = await seed(c, [fx.creates[0]]);
        expectError(await c.batch({ deletes: [{ id: String(a.id) }], patches: [], puts: [], posts: [] }), 400, 1001, ['/deletes/0/id']);
        expect(await c.all()).toEqual([a]);
      });
    });
  }

  if (fx.batch === 'deletes') {
    describe('batch: deletes only (§7.1, Decision 10)', () => {
      it('deletes the listed records and answers {deletes: [{id}]} only', async () => {
        const c = api();
        const [a, b, keep] = await seed(c, fx.creates.slice(0, 3));
        const response = await c.batch({ deletes: [{ id: b.id }, { id: a.id }] });
        expectSuccess(response, 200);
        expect(response.body.result).toEqual({ deletes: [{ id: b.id }, { id: a.id }] });
        expect(ids(await c.all())).toEqual([keep.id]);
      });

      it('answers an empty deletes array with {deletes: []}', async () => {
        const response = await api().batch({ deletes: [] });
        expectSuccess(response, 200);
        expect(response.body.result).toEqual({ deletes: [] });
      });

      it('requires deletes (400 at /deletes)', async () => {
        expectError(await api().batch({}), 400, 1001, ['/deletes']);
      });

      it('fails atomically with 404 at /deletes/1/id on an unknown id', async () => {
        const c = api();
        const records = await seed(c, fx.creates.slice(0, 2));
        expectError(await c.batch({ deletes: [{ id: records[0].id }, { id: MISSING_ID }] }), 404, 1002, ['/deletes/1/id']);
        expect(await c.all()).toEqual(records);
      });

      it('treats a duplicate id as not found (404), deleting nothing', async () => {
        const c = api();
        const records = await seed(c, fx.creates.slice(0, 2));
        expectError(await c.batch({ deletes: [{ id: records[0].id }, { id: records[0].id }] }), 404, 1002, ['/deletes/1/id']);
        expect(await c.all()).toEqual(records);
      });

      it('rejects more than 1000 deletes with 400', async () => {
        const c = api();
        const records = await seed(c, fx.creates.slice(0, 1));
        expectError(await c.batch({ deletes: Array.from({ length: 1001 }, (_, i) => ({ id: i + 1 })) }), 400, 1001, ['/deletes']);
        expect(await c.all()).toEqual(records);
      });
    });
  }

  if (fx.batch === 'none') {
    describe('batch', () => {
      it('has no batch endpoint: POST .../batch is a 4XX and creates nothing', async () => {
        const c = api();
        const response = await c.batch({ deletes: [], patches: [], puts: [], posts: [fx.creates[0]] });
        expect(response.status).toBeGreaterThanOrEqual(400);
        expect(response.status).toBeLessThan(500);
        expect(response.body.success).toBe(false);
        expect(await c.total()).toBe(0);
      });
    });
  }

  // ------------------------------------------------------------------------------------------------
  describe('malformed path ids (§1.6)', () => {
    for (const id of MALFORMED_IDS) {
      it(`answers GET, PATCH and DELETE on id ${JSON.stringify(id)} with 400 and codes [7003, 7000]`, async () => {
        const c = api();
        for (const [method, body] of [
          ['GET', undefined],
          ['PATCH', fx.patch],
          ['DELETE', undefined],
        ] as const) {
          const response = await request(c.origin, method, c.path(id), body === undefined ? {} : { body });
          expect(response.status, `${method} ${id}`).toBe(400);
          expect(response.body.success).toBe(false);
          expect(response.body.errors.map((e: any) => e.code)).toEqual([7003, 7000]);
        }
      });
    }

    it('answers a malformed account id with 400 and codes [7003, 7000]', async () => {
      const response = await request(server().origin, 'GET', settingsPath(fx.name, 'not-an-account'));
      expect(response.status).toBe(400);
      expect(response.body.errors.map((e: any) => e.code)).toEqual([7003, 7000]);
    });

    it('answers an int32-max id that does not exist with 404/1002 (well-formed)', async () => {
      expectError(await api().get(MISSING_ID), 404, 1002);
    });
  });
}
