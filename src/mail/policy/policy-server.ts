/**
 * The Postfix policy delegation service (`check_policy_service`): Postfix sends `name=value` lines
 * ending with an empty line, once per RCPT TO, and reads back `action=...` and an empty line. One
 * connection carries many requests, answered in order. Only RCPT-time requests are decided; any
 * other request, or one without a recipient, gets DUNNO (the milter sees the message later).
 */
import { createServer, type Socket } from 'node:net';
import type { ListenAddress } from '../listen-address.js';
import { listenOn, type ListeningServer } from '../listen.js';
import type { MailEnvelope, MailFilter, RecipientDecision } from '../mail-filter.js';
import type { MailLogger } from '../mail-logger.js';

export interface PolicyServerOptions {
  listen: ListenAddress;
  filter: MailFilter;
  log: MailLogger;
  /** A request larger than this closes the connection (Postfix's are a few hundred bytes). */
  maxRequestBytes?: number;
  /** A connection silent this long is closed (Postfix closes its own after 300 s idle). */
  idleTimeoutMs?: number;
  /** Connections beyond this many at once are closed on arrival. */
  maxSessions?: number;
}

const MAX_PENDING_REQUESTS = 100;

export async function startPolicyServer(options: PolicyServerOptions): Promise<ListeningServer> {
  const { listen, filter, log, maxRequestBytes = 64 * 1024, idleTimeoutMs = 10 * 60_000, maxSessions = 2_000 } = options;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    if (sockets.size >= maxSessions) {
      log.warn({ sessions: sockets.size }, 'policy: too many sessions, connection refused');
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    servePolicyConnection(socket, filter, log, maxRequestBytes, idleTimeoutMs);
  });
  return listenOn(server, listen, sockets, log, 'policy service');
}

function servePolicyConnection(socket: Socket, filter: MailFilter, log: MailLogger, maxRequestBytes: number, idleTimeoutMs: number): void {
  let buffered = '';
  let pending = 0;
  let queue: Promise<void> = Promise.resolve();
  const close = (reason: string): void => {
    log.warn({ client: socket.remoteAddress ?? 'unix', reason }, 'policy connection closed');
    socket.destroy();
  };
  socket.setEncoding('utf8');
  socket.setTimeout(idleTimeoutMs, () => close('idle timeout'));
  socket.on('error', (error) => log.debug({ err: error }, 'policy connection error'));
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    for (let end = buffered.indexOf('\n\n'); end >= 0; end = buffered.indexOf('\n\n')) {
      const request = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      if (++pending > MAX_PENDING_REQUESTS) return close('too many requests without reading the answers');
      queue = queue.then(async () => {
        const action = await answer(request, filter, log);
        pending--;
        if (!socket.destroyed) socket.write(`action=${action}\n\n`);
      });
    }
    if (Buffer.byteLength(buffered) > maxRequestBytes) close(`request over ${maxRequestBytes} bytes`);
  });
}

/**
 * The action for one request: DUNNO, or the SMTP reply itself (`550 5.7.1 text`, `451 4.7.1 text`). An
 * access(5) `NNN text` action rejects like REJECT or DEFER, with that code instead of Postfix's
 * `access_map_reject_code` (554) or `defer_code` (450), so the sending server reads the same reply from
 * the policy service as from the milter.
 */
async function answer(request: string, filter: MailFilter, log: MailLogger): Promise<string> {
  const attributes = new Map<string, string>();
  for (const line of request.split('\n')) {
    const equals = line.indexOf('=');
    if (equals <= 0) {
      log.warn({ line: line.slice(0, 100) }, 'policy request: line without name=value, answering DUNNO');
      return 'DUNNO';
    }
    attributes.set(line.slice(0, equals), line.slice(equals + 1).replace(/\r$/, ''));
  }
  const recipient = attributes.get('recipient');
  if (attributes.get('request') !== 'smtpd_access_policy' || !recipient) {
    log.warn(
      { request: attributes.get('request'), state: attributes.get('protocol_state') },
      'policy request without a recipient, answering DUNNO',
    );
    return 'DUNNO';
  }
  if ((attributes.get('protocol_state') ?? 'RCPT').toUpperCase() !== 'RCPT') return 'DUNNO';
  const envelope: MailEnvelope = {
    clientAddress: attributes.get('client_address') || undefined,
    clientName: attributes.get('client_name') || undefined,
    helo: attributes.get('helo_name') || undefined,
    queueId: attributes.get('queue_id') || undefined,
    tls: Boolean(attributes.get('encryption_protocol')),
    mailFrom: attributes.get('sender') ?? '',
    recipients: [recipient],
  };
  let decision: RecipientDecision;
  try {
    decision = await filter.checkRecipient(envelope, recipient);
  } catch (error) {
    log.error({ err: error, queueId: envelope.queueId }, 'policy check failed: answering 451 4.7.1');
    return '451 4.7.1 mailwarden: temporary failure, try again later';
  }
  if (decision.action === 'dunno') return 'DUNNO';
  const { code, enhanced, text } = decision.reply;
  return `${code} ${enhanced} ${oneLine(text)}`;
}

function oneLine(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .trim()
    .slice(0, 400);
}
