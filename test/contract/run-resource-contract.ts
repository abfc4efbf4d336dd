/**
 * The contract every settings resource honours, as vitest blocks for one fixture: envelope and status
 * codes, ids, timestamps, partial updates, lists, batches and identifier checks (docs/api-behaviour.md).
 * Each test uses its own fresh account, so tests never see each other's data.
 */
import type { TestServer } from '../helpers/server.js';
import type { ResourceFixture } from './fixtures.js';
import { accountIsolationTests, malformedIdTests } from './resource-contract/accounts-and-ids.js';
import { batchTests } from './resource-contract/batch.js';
import { contractContext } from './resource-contract/context.js';
import { createTests, createValidationTests } from './resource-contract/create.js';
import { deleteTests, getTests, patchTests } from './resource-contract/get-patch-delete.js';
import { paginationTests } from './resource-contract/pagination.js';
import { filterTests, searchTests, sortingTests } from './resource-contract/sort-search-filter.js';

export function runResourceContract(fixture: ResourceFixture, server: () => TestServer): void {
  const context = contractContext(fixture, server);
  createTests(context);
  getTests(context);
  patchTests(context);
  deleteTests(context);
  accountIsolationTests(context);
  paginationTests(context);
  sortingTests(context);
  searchTests(context);
  filterTests(context);
  createValidationTests(context);
  batchTests(context);
  malformedIdTests(context);
}
