/** Reading, changing and deleting one record by id. */
import { describe, expect, it } from 'vitest';
import { request, settingsPath } from '../../helpers/http.js';
import { expectError, expectSuccess, expectTimestamp, ids, seed, withoutMeta } from '../support.js';
import { MISSING_ID, type ContractContext } from './context.js';

export function getTests({ api, fx }: ContractContext): void {
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

    it('serves the same record under the /accounts alias', async () => {
      const c = api();
      const [created] = await seed(c, [fx.creates[0]]);
      const response = await request(c.origin, 'GET', settingsPath(`${fx.name}/${created.id}`, c.account, ''));
      expectSuccess(response, 200);
      expect(response.body.result).toEqual(created);
    });
  });
}

export function patchTests({ api, fx, patchExpect }: ContractContext): void {
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
      it(`null for ${field} ${label}`, async () => {
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
}

export function deleteTests({ api, fx }: ContractContext): void {
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
}
