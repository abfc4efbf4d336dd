/** The mail tests' own DNS server and DKIM signer work together with node's resolver and mailauth. */
import { Resolver } from 'node:dns/promises';
import { authenticate } from 'mailauth';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { makeDkimKey, signMessage } from './support/dkim.js';
import { startDnsServer, type DnsServer } from './support/dns-server.js';

describe('test DNS server and DKIM signer', () => {
  let dns: DnsServer;
  const resolver = new Resolver({ timeout: 1000, tries: 1 });
  beforeAll(async () => {
    dns = await startDnsServer({ 'example.org': { TXT: ['v=spf1 ip4:192.0.2.1 -all'], A: ['192.0.2.1'], MX: ['10 mx.example.org'] } });
    resolver.setServers([dns.address]);
  });
  afterAll(async () => {
    await dns.close();
  });

  test('answers the zone, changes at runtime, NXDOMAIN otherwise', async () => {
    expect(await resolver.resolveTxt('example.org')).toEqual([['v=spf1 ip4:192.0.2.1 -all']]);
    expect(await resolver.resolveMx('example.org')).toMatchObject([{ exchange: 'mx.example.org', priority: 10 }]);
    dns.set('example.org', 'A', ['192.0.2.7']);
    expect(await resolver.resolve4('example.org')).toEqual(['192.0.2.7']);
    await expect(resolver.resolveTxt('missing.example.org')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  test('a message signed with a published key passes DKIM, a changed body does not pass', async () => {
    const key = makeDkimKey('example.org');
    dns.set(key.recordName, 'TXT', [key.record]);
    const signed = await signMessage('From: a@example.org\r\nTo: b@example.com\r\nSubject: hi\r\n\r\nbody\r\n', key);
    const options = {
      ip: '192.0.2.7',
      helo: 'mx.example.org',
      sender: 'a@example.org',
      mta: 'mw.test',
      resolver: (name: string, type: string) => resolver.resolve(name, type) as Promise<string[]>,
    };
    const good = await authenticate(signed, options);
    expect(good.dkim.results.map((entry) => entry.status.result)).toEqual(['pass']);
    const tampered = Buffer.from(signed.toString().replace('body', 'changed'));
    const bad = await authenticate(tampered, options);
    // mailauth reports a body hash mismatch as `neutral`.
    expect(bad.dkim.results.map((entry) => entry.status.result)).toEqual(['neutral']);
  });
});
