/** `POST .../batch`: order deletes → patches → puts → posts, all or nothing, per-item pointers. */
import { describe, expect, it } from 'vitest';
import { expectError, expectSuccess, ids, seed, withoutMeta, type Values } from '../support.js';
import { MISSING_ID, type ContractContext } from './context.js';

export function batchTests({ api, fx, patchExpect }: ContractContext): void {
  if (fx.batch === 'full') {
    const full = fx.batchFull!;
    describe('batch', () => {
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
        const response = await c.batch({
          deletes: [{ id: a.id }],
          patches: [{ id: b.id, ...fx.patch }],
          puts: [{ id: a.id, ...full.put }],
          posts: [],
        });
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
        const response = await c.batch({
          deletes: [],
          patches: [],
          puts: [],
          posts: Array.from({ length: 1000 }, (_, i) => fx.generate(i)),
        });
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
    describe('batch: deletes only', () => {
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
}
