/** Creating records: the answer's shape, defaults, ignored properties, and bad bodies refused with nothing stored. */
import { describe, expect, it } from 'vitest';
import { request } from '../../helpers/http.js';
import { expectError, expectSuccess, expectTimestamp, ids, seed, withoutMeta } from '../support.js';
import { ACCEPTED_IPS, REJECTED_IPS, type ContractContext } from './context.js';

export function createTests({ api, fx }: ContractContext): void {
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
}

export function createValidationTests({ api, expectRejectedCreate, fx }: ContractContext): void {
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
}
