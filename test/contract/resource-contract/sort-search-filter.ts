/** Lists: `order`/`direction`, `search` and the resource's filters. */
import { describe, expect, it } from 'vitest';
import { expectError, expectSuccess, ids, seed } from '../support.js';
import { expectedOrder, type ContractContext } from './context.js';

export function sortingTests({ api, fx }: ContractContext): void {
  describe('list: sorting', () => {
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
}

export function searchTests({ api, fx }: ContractContext): void {
  describe('list: search', () => {
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
}

export function filterTests({ api, fx }: ContractContext): void {
  if (fx.filters.length > 0 || fx.badFilters.length > 0) {
    describe('list: filters', () => {
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
}
