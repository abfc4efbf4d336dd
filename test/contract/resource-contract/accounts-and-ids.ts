/** Account isolation and malformed path identifiers. */
import { describe, expect, it } from 'vitest';
import { request, settingsPath } from '../../helpers/http.js';
import { expectError, ids, seed } from '../support.js';
import { MALFORMED_IDS, MISSING_ID, type ContractContext } from './context.js';

export function accountIsolationTests({ api, fx }: ContractContext): void {
  describe('account isolation', () => {
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
}

export function malformedIdTests({ api, fx, server }: ContractContext): void {
  describe('malformed path ids', () => {
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
