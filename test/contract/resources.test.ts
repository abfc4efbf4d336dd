/** The shared contract run against every settings resource. */
import { afterAll, beforeAll, describe } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { FIXTURES } from './fixtures.js';
import { runResourceContract } from './run-resource-contract.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

describe.each(FIXTURES.map((fixture) => [fixture.name, fixture] as const))('%s', (_name, fixture) => {
  runResourceContract(fixture, () => server);
});
