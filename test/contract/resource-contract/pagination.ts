/** Lists: `page`, `per_page` and `result_info`. */
import { describe, expect, it } from 'vitest';
import { expectError, expectSuccess, ids, seed } from '../support.js';
import { type ContractContext } from './context.js';

export function paginationTests({ api, fx }: ContractContext): void {
  describe('list: pagination', () => {
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
}
