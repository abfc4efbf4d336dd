/** Where a mail interface listens: `HOST:PORT` (IPv6 as `[::1]:PORT`) or `unix:/path/to.sock`. */
import { isIP } from 'node:net';

export type ListenAddress = { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; path: string };

export class ListenAddressError extends Error {}

export function parseListenAddress(text: string, variable: string): ListenAddress {
  const value = text.trim();
  if (value.startsWith('unix:')) {
    const path = value.slice('unix:'.length);
    if (!path.startsWith('/')) throw new ListenAddressError(`${variable} must be unix:/absolute/path, got ${JSON.stringify(text)}`);
    return { kind: 'unix', path };
  }
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(value);
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (!match || !host || port > 65535 || (match[1] !== undefined && isIP(host) !== 6)) {
    throw new ListenAddressError(`${variable} must be HOST:PORT or unix:/path, got ${JSON.stringify(text)}`);
  }
  return { kind: 'tcp', host, port };
}

/** How a listen address reads in logs and in Postfix's `main.cf` (`inet:host:port`, `unix:/path`). */
export function formatListenAddress(address: ListenAddress): string {
  if (address.kind === 'unix') return `unix:${address.path}`;
  return `${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
}
