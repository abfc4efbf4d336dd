/**
 * The client's address as recorded in the audit trail. Behind a trusted proxy Fastify takes it from
 * `X-Forwarded-For` as written, which can be any text; only a real IP address is recorded, else the
 * address of the connection's peer (the proxy).
 */
import type { FastifyRequest } from 'fastify';
import ipaddr from 'ipaddr.js';

/** The audit log's column holds this many characters. */
const MAX_ADDRESS_LENGTH = 64;

export function clientAddressOf(request: FastifyRequest): string {
  const ip = request.ip;
  if (ip.length <= MAX_ADDRESS_LENGTH && ipaddr.isValid(ip)) return ip;
  return request.socket.remoteAddress ?? 'unknown';
}
