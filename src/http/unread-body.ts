/**
 * An answer sent before the request body was read (a 413 for a declared or counted over-limit body,
 * an authentication failure, an unknown route) leaves the client still uploading. Closing the
 * connection then makes the kernel reset it, and a streaming client (Node's fetch, the SDK) sees
 * EPIPE instead of the answer, and the SDK retries. So the rest of the body is read and discarded,
 * on a connection that stays open, up to four times the body limit of the route (the import route has
 * a larger one than the rest); a body declared or found larger than that is cut off by closing the
 * connection.
 */
import type { FastifyInstance } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

/** Sockets whose request was answered before its body was read: a late timeout must not answer again. */
const answeredEarly = new WeakSet<Socket>();

/** True when the socket's current request was answered and the rest of its body is being discarded. */
export function isDiscardingBody(socket: Socket): boolean {
  return answeredEarly.has(socket);
}

function discardRest(raw: IncomingMessage, drainLimit: number): void {
  const socket = raw.socket;
  answeredEarly.add(socket);
  raw.once('end', () => answeredEarly.delete(socket));
  let received = 0;
  raw.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (received > drainLimit) raw.socket?.destroy();
  });
  raw.resume();
}

/** How many times a route's body limit is read and discarded after an early answer. */
const DRAIN_FACTOR = 4;

export function registerUnreadBodyDrain(app: FastifyInstance, { bodyLimit }: { bodyLimit: number }): void {
  // A callback hook: it runs on every response, and an async one costs a promise each time.
  app.addHook('onSend', (request, reply, payload, done) => {
    const raw = request.raw;
    if (!raw.complete && !raw.destroyed) {
      const drainLimit = DRAIN_FACTOR * (request.routeOptions.bodyLimit ?? bodyLimit);
      if (Number(raw.headers['content-length']) > drainLimit) {
        reply.header('connection', 'close');
      } else {
        // Fastify asks for a close after a body it refused; reading the rest keeps the answer readable.
        reply.removeHeader('connection');
        discardRest(raw, drainLimit);
      }
    }
    done(null, payload);
  });
}
