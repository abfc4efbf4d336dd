/**
 * Generated input over every route of `/openapi.json`, on the store of this run: hostile values in
 * every body field, query parameter and path segment (see generated-input-arbitraries.ts). Every
 * answer is below 500; every 4xx is the error envelope and leaves the stored data (all six lists and
 * the audit log of the account) exactly as it was.
 *
 * First every parameter and every field of a valid body gets each of KILLER_VALUES in turn; then
 * random requests. MAILWARDEN_FUZZ_RUNS sets the random requests per route (default 12: about a
 * minute per store in all);
 * MAILWARDEN_FUZZ_SEED replays a run.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES } from '../contract/fixtures.js';
import { newAccount } from '../contract/support.js';
import { request, settingsPath } from '../helpers/http.js';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server.js';
import { encodedParameter, fromSchema, KILLER_VALUES, percentEncoded, rawBodies, type JsonSchema } from './generated-input-arbitraries.js';

const RUNS = Number(process.env.MAILWARDEN_FUZZ_RUNS ?? 12);
const SEED = process.env.MAILWARDEN_FUZZ_SEED === undefined ? undefined : Number(process.env.MAILWARDEN_FUZZ_SEED);

interface Parameter {
  in: 'path' | 'query';
  name: string;
  schema: JsonSchema;
}
interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  body?: JsonSchema;
}

let server: TestServer;
const operations: Operation[] = [];
const account = newAccount();
const RESOURCES = FIXTURES.map((fixture) => fixture.name);

beforeAll(async () => {
  server = await startServer();
  const document = (await request(server.origin, 'GET', '/openapi.json', { anonymous: true })).body;
  for (const [path, methods] of Object.entries<Record<string, any>>(document.paths)) {
    for (const [method, operation] of Object.entries<any>(methods)) {
      operations.push({
        method: method.toUpperCase(),
        path,
        parameters: operation.parameters ?? [],
        body: operation.requestBody?.content?.['application/json']?.schema,
      });
    }
  }
  // Records to address by id, patch and delete.
  for (const fixture of FIXTURES) {
    for (const body of fixture.creates.slice(0, 3)) {
      const created = await request(server.origin, 'POST', settingsPath(fixture.name, account), { body });
      expect(created.status, created.text).toBe(201);
    }
  }
});
afterAll(() => server?.close());

/** Every list of the account and its audit trail, as a client sees them. */
async function snapshot(): Promise<string> {
  const parts = await Promise.all([
    ...RESOURCES.map((name) => request(server.origin, 'GET', `${settingsPath(name, account)}?per_page=1000`)),
    // The newest audit entry and the count: a change adds an entry.
    request(server.origin, 'GET', `/client/v4/accounts/${account}/audit_logs?per_page=1`),
  ]);
  return JSON.stringify(parts.map((part) => (part.status === 200 ? [part.body.result, part.body.result_info.total_count] : part.status)));
}

/** Ids of the account's records of `resource`, for path segments that should often exist. */
async function idsOf(resource: string): Promise<string[]> {
  const list = await request(server.origin, 'GET', `${settingsPath(resource, account)}?per_page=50`);
  return (list.body?.result ?? []).map((record: { id: number }) => String(record.id));
}

interface GeneratedRequest {
  path: string;
  query: string;
  body?: { body: Buffer | string; contentType?: string };
}

function requestArbitrary(operation: Operation, ids: string[]): fc.Arbitrary<GeneratedRequest> {
  const pathParameters = operation.parameters.filter((p) => p.in === 'path');
  const queryParameters = operation.parameters.filter((p) => p.in === 'query');
  const segments = pathParameters.map((parameter) => {
    const valid = parameter.name === 'account_id' ? [account] : ids.length > 0 ? ids : ['1'];
    return fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...valid) }, { weight: 1, arbitrary: encodedParameter(parameter.schema) });
  });
  const query = fc
    .subarray(queryParameters, {
      maxLength: Math.min(4, queryParameters.length),
    })
    .chain((chosen) =>
      fc.tuple(
        ...chosen.map((parameter) =>
          fc
            .array(encodedParameter(parameter.schema), {
              minLength: 1,
              maxLength: 2,
            })
            .map((values) => values.map((value) => `${parameter.name}=${value}`).join('&')),
        ),
      ),
    )
    .map((pairs) => pairs.join('&'));
  const body = operation.body
    ? fc.oneof(
        {
          weight: 6,
          arbitrary: fromSchema(operation.body).map((value) => ({
            body: JSON.stringify(value) ?? '',
            contentType: 'application/json',
          })),
        },
        { weight: 1, arbitrary: rawBodies },
      )
    : fc.constant(undefined);
  return fc.tuple(fc.tuple(...segments), query, body).map(([values, queryString, generatedBody]) => {
    let path = operation.path;
    pathParameters.forEach((parameter, index) => (path = path.replace(`{${parameter.name}}`, values[index])));
    return { path, query: queryString, body: generatedBody };
  });
}

async function send(operation: Operation, generated: GeneratedRequest): Promise<{ status: number; text: string; body: any }> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${TEST_TOKEN}`,
  };
  if (generated.body?.contentType) headers['content-type'] = generated.body.contentType;
  const url = `${server.origin}${generated.path}${generated.query ? `?${generated.query}` : ''}`;
  const response = await fetch(url, {
    method: operation.method,
    headers,
    body: generated.body?.body,
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, text, body };
}

const ErrorEnvelope = {
  success: false,
  errors: expect.arrayContaining([
    expect.objectContaining({
      code: expect.any(Number),
      message: expect.any(String),
    }),
  ]),
  messages: [],
  result: null,
};

/**
 * Sends generated requests for `operation` and checks each answer. It keeps the stored data as of the
 * last answered request: a 4xx must leave it so, a 2xx write moves it on.
 */
async function stateChecker(operation: Operation) {
  const writes = operation.method !== 'GET';
  let state = writes ? await snapshot() : '';
  return {
    async check(generated: GeneratedRequest): Promise<void> {
      const response = await send(operation, generated);
      const body = String(generated.body?.body ?? '').slice(0, 300);
      const where = `${operation.method} ${generated.path}?${generated.query} ${body}\n→ ${response.status} ${response.text.slice(0, 300)}`;
      expect(response.status, where).toBeLessThan(500);
      if (response.status >= 400) {
        expect(response.body, where).toMatchObject(ErrorEnvelope);
        expect(response.body.errors.length, where).toBeGreaterThan(0);
        if (writes) expect(await snapshot(), `stored data changed after ${where}`).toBe(state);
      } else if (operation.path.endsWith('/export')) {
        // An export answers the document itself (JSON or CSV), not an envelope.
        expect(response.text.length, where).toBeGreaterThan(0);
        if (response.body && typeof response.body === 'object') expect(response.body.account_id, where).toBeTypeOf('string');
      } else {
        expect(response.body?.success, where).toBe(true);
        if (writes) state = await snapshot();
      }
    },
  };
}

let serial = 0;

/** A valid body for `operation`, from the contract fixtures, when there is one. */
function validBody(operation: Operation): Record<string, unknown> | undefined {
  if (operation.path.endsWith('/evaluate')) return { messages: [{ from: 'a@b.example', recipients: ['c@d.example'] }] };
  const fixture = FIXTURES.find((f) => operation.path.endsWith(`/settings/${f.name}`) || operation.path.includes(`/settings/${f.name}/{`));
  if (!fixture) return undefined;
  if (operation.method === 'POST' && !operation.path.endsWith('/batch')) return fixture.generate(100_000 + serial++);
  if (operation.method === 'PATCH') return fixture.patch;
  return undefined;
}

/** Every path segment, query parameter and top-level body field of `operation` with each KILLER_VALUE. */
function systematicRequests(operation: Operation, ids: string[]): GeneratedRequest[] {
  const id = ids[0] ?? '1';
  const pathWith = (name?: string, segment?: string) => {
    let path = operation.path;
    for (const parameter of operation.parameters.filter((p) => p.in === 'path')) {
      const value = parameter.name === name ? segment! : parameter.name === 'account_id' ? account : id;
      path = path.replace(`{${parameter.name}}`, value);
    }
    return path;
  };
  const asText = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
  const json = (value: unknown) => ({ body: JSON.stringify(value), contentType: 'application/json' });
  const requests: GeneratedRequest[] = [];
  for (const value of KILLER_VALUES) {
    const body = validBody(operation);
    for (const parameter of operation.parameters) {
      const encoded = percentEncoded(asText(value)) || '%20';
      if (parameter.in === 'query') requests.push({ path: pathWith(), query: `${parameter.name}=${encoded}`, body: body && json(body) });
      else requests.push({ path: pathWith(parameter.name, encoded), query: '', body: body && json(body) });
    }
    if (operation.path.endsWith('/evaluate')) {
      const message = (body as { messages: Record<string, unknown>[] }).messages[0];
      for (const field of ['id', 'from', 'from_name', 'envelope_from', 'recipients', 'tls', 'client_ip', 'subject', 'reply_to']) {
        requests.push({ path: pathWith(), query: '', body: json({ messages: [{ ...message, [field]: value }] }) });
      }
    } else {
      for (const field of Object.keys(body ?? {})) requests.push({ path: pathWith(), query: '', body: json({ ...body, [field]: value }) });
    }
  }
  return requests;
}

describe('generated input over every route of /openapi.json', () => {
  it('reads the routes from the OpenAPI document', () => {
    expect(operations.length).toBeGreaterThanOrEqual(30);
  });

  for (const method of ['GET', 'POST', 'PATCH', 'DELETE']) {
    it(`${method} routes: each hostile value in every parameter and field`, async () => {
      for (const operation of operations.filter((o) => o.method === method)) {
        const resource = RESOURCES.find((name) => operation.path.includes(`/settings/${name}/`));
        const checker = await stateChecker(operation);
        for (const generated of systematicRequests(operation, resource ? await idsOf(resource) : [])) await checker.check(generated);
      }
    }, 600_000);

    it(`${method} routes: no 5xx, the envelope on every 4xx, stored data unchanged after it`, async () => {
      for (const operation of operations.filter((o) => o.method === method)) {
        const resource = RESOURCES.find((name) => operation.path.includes(`/settings/${name}/`));
        const ids = resource ? await idsOf(resource) : [];
        const checker = await stateChecker(operation);
        await fc.assert(
          fc.asyncProperty(requestArbitrary(operation, ids), (generated) => checker.check(generated)),
          { numRuns: RUNS, seed: SEED, endOnFailure: true },
        );
      }
    }, 600_000);
  }
});
