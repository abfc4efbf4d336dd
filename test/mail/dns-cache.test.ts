/** The DNS answer cache of the authentication lookups, against the tests' DNS server. */
import { Resolver } from 'node:dns/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachedResolve, type Resolve } from '../../src/mail/dns-cache.js';
import { startDnsServer, type DnsServer } from './support/dns-server.js';

describe('DNS answer cache', () => {
  let dns: DnsServer;
  let resolve: Resolve;

  beforeAll(async () => {
    dns = await startDnsServer({ 'sender.example': { TXT: ['v=spf1 -all'] } });
    const resolver = new Resolver({ timeout: 1000, tries: 1 });
    resolver.setServers([dns.address]);
    resolve = (name, type) => resolver.resolve(name, type) as Promise<string[]>;
  });
  afterAll(() => dns?.close());

  it('asks the server once for repeated and concurrent questions, whatever the case of the name', async () => {
    const cached = cachedResolve(resolve, { seconds: 60 });
    const before = dns.queries();
    const answers = await Promise.all([cached('sender.example', 'TXT'), cached('SENDER.example', 'TXT'), cached('sender.example', 'TXT')]);
    expect(answers).toEqual([[['v=spf1 -all']], [['v=spf1 -all']], [['v=spf1 -all']]]);
    expect(await cached('sender.example', 'TXT')).toEqual([['v=spf1 -all']]);
    expect(dns.queries() - before).toBe(1);
  });

  it('remembers that a record does not exist', async () => {
    const cached = cachedResolve(resolve, { seconds: 60 });
    const before = dns.queries();
    await expect(cached('_dmarc.sender.example', 'TXT')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(cached('_dmarc.sender.example', 'TXT')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    expect(dns.queries() - before).toBe(1);
  });

  it('asks again once the time is up, and every time with 0 seconds', async () => {
    const brief = cachedResolve(resolve, { seconds: 0.2 });
    await brief('sender.example', 'TXT');
    dns.set('sender.example', 'TXT', ['v=spf1 ip4:192.0.2.1 -all']);
    expect(await brief('sender.example', 'TXT')).toEqual([['v=spf1 -all']]);
    await new Promise((resolveTimer) => setTimeout(resolveTimer, 250));
    expect(await brief('sender.example', 'TXT')).toEqual([['v=spf1 ip4:192.0.2.1 -all']]);

    const uncached = cachedResolve(resolve, { seconds: 0 });
    const before = dns.queries();
    await uncached('sender.example', 'TXT');
    await uncached('sender.example', 'TXT');
    expect(dns.queries() - before).toBe(2);
  });

  it('does not keep a failure that is not an answer (a timeout, a refused server)', async () => {
    let calls = 0;
    const failing: Resolve = () => {
      calls += 1;
      return Promise.reject(Object.assign(new Error('queryTxt ETIMEOUT x'), { code: 'ETIMEOUT' }));
    };
    const cached = cachedResolve(failing, { seconds: 60 });
    await expect(cached('x.example', 'TXT')).rejects.toMatchObject({ code: 'ETIMEOUT' });
    await expect(cached('x.example', 'TXT')).rejects.toMatchObject({ code: 'ETIMEOUT' });
    expect(calls).toBe(2);
  });

  it('holds at most maxEntries names, dropping the oldest', async () => {
    const asked: string[] = [];
    const counting: Resolve = (name) => (asked.push(name), Promise.resolve([name]));
    const cached = cachedResolve(counting, { seconds: 60, maxEntries: 2 });
    for (const name of ['a.example', 'b.example', 'c.example', 'c.example', 'a.example']) await cached(name, 'TXT');
    expect(asked).toEqual(['a.example', 'b.example', 'c.example', 'a.example']);
  });
});
