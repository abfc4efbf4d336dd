/**
 * Starts the mail interfaces the configuration asks for (the milter, the Postfix policy service),
 * both over one MailFilter sharing the app's compiled settings cache. `close()` stops them; the server
 * calls it before closing the app (and with it the database).
 */
import { hostname } from 'node:os';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import type { CompiledSettingsCache } from '../policy/compiled-settings-cache.js';
import { createAccountRouting } from './account-routing.js';
import { createAuthenticator } from './authentication.js';
import type { ListeningServer } from './listen.js';
import type { MailLogger } from './mail-logger.js';
import { createMailFilter } from './mail-filter-service.js';
import { startMilterServer } from './milter/milter-server.js';
import { startPolicyServer } from './policy/policy-server.js';

export interface MailInterfaces {
  milter?: ListeningServer;
  policy?: ListeningServer;
  close(): Promise<void>;
}

export interface MailInterfaceDependencies {
  database: Database;
  cache: CompiledSettingsCache;
  log: MailLogger;
}

export async function startMailInterfaces(
  config: Readonly<Config>,
  { database, cache, log }: MailInterfaceDependencies,
): Promise<MailInterfaces> {
  const mail = config.mail;
  if (!mail || (!mail.milterListen && !mail.policyListen)) return { close: () => Promise.resolve() };
  const authservId = hostname();
  const routing = createAccountRouting(database, cache);
  const filter = createMailFilter({
    routing,
    cache,
    authenticator: createAuthenticator({ dnsServer: mail.dnsServer, authservId, dnsCacheSeconds: mail.dnsCacheSeconds }),
    dropAction: mail.dropAction,
    onError: mail.onError,
    trustedAuthservIds: mail.trustedAuthservIds,
    authservId,
    log,
  });
  const interfaces: MailInterfaces = {
    async close() {
      await Promise.all([interfaces.milter?.close(), interfaces.policy?.close()]);
      routing.close();
    },
  };
  try {
    if (mail.milterListen) {
      interfaces.milter = await startMilterServer({ listen: mail.milterListen, filter, log });
    }
    if (mail.policyListen) {
      interfaces.policy = await startPolicyServer({ listen: mail.policyListen, filter, log });
    }
  } catch (error) {
    await interfaces.close();
    throw error;
  }
  return interfaces;
}
