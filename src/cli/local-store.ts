/** The resource services and importer of a store the CLI opened, wired as the server wires them. */
import { randomUUID } from 'node:crypto';
import type { ChangeContext } from '../audit/audit-log.js';
import { createAuditLog } from '../audit/audit-log.js';
import type { Database } from '../db/database.js';
import { createCompiledSettingsCache } from '../policy/compiled-settings-cache.js';
import { RESOURCES } from '../resources/index.js';
import { createResourceService } from '../resources/resource-service.js';
import { createImporter } from '../transfer/importer.js';

export function localStore(database: Database) {
  // Never started or read: its `publish` tells running PostgreSQL replicas what the CLI changed.
  const changes = createCompiledSettingsCache(database, () => Promise.reject(new Error('the CLI compiles no settings')));
  const auditLog = createAuditLog(database.db);
  const services = RESOURCES.map((definition) => createResourceService(definition, database, auditLog, changes));
  return { services, importer: createImporter(database, services, changes) };
}

/** How CLI changes appear in the audit log. */
export function cliContext(command: string): ChangeContext {
  return { tokenId: null, tokenName: `mailwarden ${command} (CLI)`, email: null, clientIp: '127.0.0.1', requestId: randomUUID() };
}
