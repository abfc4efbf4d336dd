/**
 * Exports an account's settings as a stream, read from the store in chunks, so memory stays flat
 * however many records there are:
 * - JSON: `{"account_id", "exported_at", "<collection>": [records as the API returns them], ...}`, every
 *   collection, in id order (the document `POST .../import` and MAILWARDEN_SEED_FILE take);
 * - CSV: one collection in the dashboard's upload layout (`collections.ts`).
 */
import { Readable } from 'node:stream';
import type { ResourceService, Store } from '../resources/resource-service.js';
import { COLLECTION_FORMATS } from './collections.js';
import { writeCsv } from './csv.js';

/** Text is handed on in pieces of about this size. */
const PIECE = 64 * 1024;

async function* jsonPieces(store: Store, services: readonly ResourceService[], accountId: string): AsyncGenerator<string> {
  let piece = `{"account_id":${JSON.stringify(accountId)},"exported_at":${JSON.stringify(new Date().toISOString())}`;
  for (const service of services) {
    piece += `,${JSON.stringify(service.definition.name)}:[`;
    let first = true;
    for await (const record of service.repository.findAll(store.db, accountId)) {
      piece += (first ? '' : ',') + JSON.stringify(service.present(record));
      first = false;
      if (piece.length >= PIECE) {
        yield piece;
        piece = '';
      }
    }
    piece += ']';
  }
  yield `${piece}}\n`;
}

export function exportJson(store: Store, services: readonly ResourceService[], accountId: string): Readable {
  return Readable.from(jsonPieces(store, services, accountId), { objectMode: false });
}

async function* presented(store: Store, service: ResourceService, accountId: string) {
  for await (const record of service.repository.findAll(store.db, accountId)) yield service.present(record);
}

export function exportCsv(store: Store, service: ResourceService, accountId: string): Readable {
  return writeCsv(presented(store, service, accountId), COLLECTION_FORMATS[service.definition.name]);
}
