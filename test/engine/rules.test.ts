/**
 * One test per rule of the engine and per precedence between rules. Every verdict is
 * computed by both the indexed engine and the naive reference (`verdictOf` checks they agree).
 */
import { describe, expect, it } from 'vitest';
import { compileSettings } from '../../src/engine/index.js';
import { allow, block, displayName, domain, effects, message, restriction, settings, trustedDomain, verdictOf } from './helpers.js';

describe('matching', () => {
  it('EMAIL patterns match addresses case-insensitively, and only that address', () => {
    const rule = block('Phisher@Example.NET', 'EMAIL');
    const account = settings({ block_senders: [rule] });
    expect(verdictOf(account, message({ from: 'phisher@example.net' })).disposition).toBe('MALICIOUS');
    expect(verdictOf(account, message({ from: 'PHISHER@EXAMPLE.net' })).disposition).toBe('MALICIOUS');
    expect(verdictOf(account, message({ from: 'other@example.net' })).disposition).toBe('NONE');
  });

  it('DOMAIN patterns match the domain and every subdomain, not a look-alike suffix', () => {
    const account = settings({ block_senders: [block('evil.example', 'DOMAIN')] });
    expect(verdictOf(account, message({ from: 'a@evil.example' })).disposition).toBe('MALICIOUS');
    expect(verdictOf(account, message({ from: 'a@mx.eu.EVIL.example' })).disposition).toBe('MALICIOUS');
    expect(verdictOf(account, message({ from: 'a@notevil.example' })).disposition).toBe('NONE');
    expect(verdictOf(account, message({ from: 'a@evil.example.org' })).disposition).toBe('NONE');
  });

  it('sender EMAIL and DOMAIN patterns are checked against envelope_from, from and reply_to, each reported', () => {
    const rule = block('evil.example', 'DOMAIN');
    const account = settings({ block_senders: [rule] });
    const verdict = verdictOf(
      account,
      message({ envelope_from: 'bounce@evil.example', from: 'ok@good.example', reply_to: 'x@sub.evil.example' }),
    );
    expect(verdict.disposition).toBe('MALICIOUS');
    expect(effects(verdict)).toEqual([`block_senders:${rule.id}:envelope_from:block`, `block_senders:${rule.id}:reply_to:block`]);
  });

  it('IDN domains match in either form (Unicode or punycode)', () => {
    const account = settings({ block_senders: [block('münchen.example', 'DOMAIN'), block('a@xn--bcher-kva.example', 'EMAIL')] });
    expect(verdictOf(account, message({ from: 'a@xn--mnchen-3ya.example' })).disposition).toBe('MALICIOUS');
    expect(verdictOf(account, message({ from: 'a@MÜNCHEN.example' })).disposition).toBe('MALICIOUS');
    expect(verdictOf(account, message({ from: 'A@bücher.example' })).disposition).toBe('MALICIOUS');
  });

  it('IP patterns match the address or its CIDR block, IPv4 and IPv6', () => {
    const account = settings({
      block_senders: [block('198.51.100.7', 'IP'), block('203.0.113.0/24', 'IP'), block('2001:db8:abcd::/48', 'IP')],
    });
    const disposition = (ip: string) => verdictOf(account, message({ sending_ip: ip })).disposition;
    expect(disposition('198.51.100.7')).toBe('MALICIOUS');
    expect(disposition('198.51.100.8')).toBe('NONE');
    expect(disposition('203.0.113.255')).toBe('MALICIOUS');
    expect(disposition('203.0.114.1')).toBe('NONE');
    expect(disposition('2001:db8:abcd:12::1')).toBe('MALICIOUS');
    expect(disposition('2001:DB8:ABCE::1')).toBe('NONE');
    // An IPv4-mapped IPv6 address is the IPv4 address.
    expect(disposition('::ffff:203.0.113.9')).toBe('MALICIOUS');
  });

  it('IP patterns report the sending_ip field and never match recipients', () => {
    const rule = allow('203.0.113.0/24', 'IP', { is_exempt_recipient: true, is_trusted_sender: true });
    const verdict = verdictOf(settings({ allow_policies: [rule] }), message({ sending_ip: '203.0.113.1' }));
    expect(effects(verdict)).toEqual([`allow_policies:${rule.id}:sending_ip:trusted_sender`]);
  });

  it('regexes are RE2, case-insensitive, matched against the whole of each sender field', () => {
    const onAddress = block('.*@evil[0-9]+\\.example', 'EMAIL', true);
    const onHelo = block('mx[0-9]+\\.spam\\.example', 'DOMAIN', true);
    const onIp = block('203\\.0\\.113\\..*', 'IP', true);
    const partial = block('evil', 'EMAIL', true);
    const account = settings({ block_senders: [onAddress, onHelo, onIp, partial] });
    const verdict = verdictOf(
      account,
      message({ envelope_from: 'x@EVIL42.example', from: 'x@evil42.example', helo: 'MX7.spam.example', sending_ip: '203.0.113.5' }),
    );
    expect(effects(verdict)).toEqual([
      `block_senders:${onAddress.id}:envelope_from:block`,
      `block_senders:${onAddress.id}:from:block`,
      `block_senders:${onHelo.id}:helo:block`,
      `block_senders:${onIp.id}:sending_ip:block`,
    ]);
  });

  it('exempt-recipient patterns are checked against each recipient (EMAIL, DOMAIN, regex)', () => {
    const byEmail = allow('soc@example.com', 'EMAIL', { is_exempt_recipient: true });
    const byDomain = allow('abuse.example.com', 'DOMAIN', { is_exempt_recipient: true });
    const byRegex = allow('phish-report-[a-z]+@example\\.com', 'EMAIL', { is_exempt_recipient: true, is_regex: true });
    const account = settings({ allow_policies: [byEmail, byDomain, byRegex], block_senders: [block('evil.example', 'DOMAIN')] });
    const verdict = verdictOf(
      account,
      message({
        from: 'x@evil.example',
        recipients: ['SOC@example.com', 'team@abuse.example.com', 'phish-report-eu@example.com', 'bob@example.com'],
      }),
    );
    expect(verdict.recipients.map((r) => r.disposition)).toEqual(['NONE', 'NONE', 'NONE', 'MALICIOUS']);
    expect(effects(verdict).filter((e) => e.includes('exempt'))).toEqual([
      `allow_policies:${byEmail.id}:recipients[0]:exempt_recipient`,
      `allow_policies:${byDomain.id}:recipients[1]:exempt_recipient`,
      `allow_policies:${byRegex.id}:recipients[2]:exempt_recipient`,
    ]);
  });

  it('legacy UNKNOWN patterns are read by their shape', () => {
    const account = settings({
      block_senders: [block('a@legacy.example', 'UNKNOWN'), block('legacy2.example', 'UNKNOWN'), block('192.0.2.0/24', 'UNKNOWN')],
    });
    expect(verdictOf(account, message({ from: 'a@legacy.example' })).disposition).toBe('MALICIOUS');
    expect(verdictOf(account, message({ from: 'b@x.legacy2.example' })).disposition).toBe('MALICIOUS');
    expect(verdictOf(account, message({ sending_ip: '192.0.2.55' })).disposition).toBe('MALICIOUS');
  });

  it('patterns that cannot match are reported by the compiler and ignored', () => {
    const badRegex = block('(a', 'EMAIL', true);
    const badIp = block('not-an-ip', 'IP');
    const badEmail = block('no-at-sign', 'EMAIL');
    const account = settings({ block_senders: [badRegex, badIp, badEmail] });
    expect(compileSettings(account).unusable.map((u) => u.id)).toEqual([badRegex.id, badIp.id, badEmail.id]);
    expect(verdictOf(account, message({ from: 'no-at-sign@x.example' })).disposition).toBe('NONE');
  });
});

describe('verify_sender', () => {
  const trusted = allow('partner.example', 'DOMAIN', { is_trusted_sender: true, verify_sender: true });
  const account = settings({ allow_policies: [trusted] });
  const spam = { from: 'news@partner.example', detections: ['SPAM' as const] };

  it('without DMARC, SPF or DKIM passing, the policy is matched but not honoured', () => {
    for (const authentication of [undefined, { spf: 'fail' as const, dkim: 'none' as const, dmarc: 'none' as const }]) {
      const verdict = verdictOf(account, message({ ...spam, ...(authentication ? { authentication } : {}) }));
      expect(verdict.disposition).toBe('SPAM');
      expect(effects(verdict)).toEqual([`allow_policies:${trusted.id}:from:trusted_sender_not_honoured`]);
      expect(verdict.explanation.join(' ')).toMatch(/not honoured.*verify_sender/i);
    }
  });

  it('any one of DMARC, SPF or DKIM passing honours it', () => {
    for (const method of ['spf', 'dkim', 'dmarc'] as const) {
      const verdict = verdictOf(account, message({ ...spam, authentication: { [method]: 'pass' } }));
      expect(verdict.disposition).toBe('NONE');
      expect(effects(verdict)).toEqual([`allow_policies:${trusted.id}:from:trusted_sender`]);
    }
  });

  it('applies to acceptable senders too', () => {
    const acceptable = allow('partner.example', 'DOMAIN', { is_acceptable_sender: true, verify_sender: true });
    const verdict = verdictOf(settings({ allow_policies: [acceptable] }), message(spam));
    expect(verdict.disposition).toBe('SPAM');
    expect(effects(verdict)).toEqual([`allow_policies:${acceptable.id}:from:acceptable_sender_not_honoured`]);
  });

  it('does not apply to exempt recipients', () => {
    const exempt = allow('soc@example.com', 'EMAIL', { is_exempt_recipient: true, verify_sender: true });
    const verdict = verdictOf(
      settings({ allow_policies: [exempt] }),
      message({ recipients: ['soc@example.com'], detections: ['MALICIOUS'] }),
    );
    expect(verdict.disposition).toBe('NONE');
  });
});

describe('blocked sender', () => {
  it('gives MALICIOUS', () => {
    const rule = block('evil.example', 'DOMAIN');
    const verdict = verdictOf(settings({ block_senders: [rule] }), message({ from: 'x@evil.example' }));
    expect(verdict).toMatchObject({ disposition: 'MALICIOUS', action: 'deliver' });
    expect(verdict.explanation[0]).toBe(`MALICIOUS: blocked sender ${rule.id} ('evil.example') matched from.`);
  });

  it('beats a trusted sender, and says the trusted sender was overridden', () => {
    const blocked = block('mallory@partner.example', 'EMAIL');
    const trusted = allow('partner.example', 'DOMAIN', { is_trusted_sender: true });
    const verdict = verdictOf(
      settings({ block_senders: [blocked], allow_policies: [trusted] }),
      message({ from: 'mallory@partner.example' }),
    );
    expect(verdict.disposition).toBe('MALICIOUS');
    expect(effects(verdict)).toEqual([`block_senders:${blocked.id}:from:block`, `allow_policies:${trusted.id}:from:trusted_sender`]);
    expect(verdict.explanation).toContain(
      `Overridden: allow policy ${trusted.id} ('partner.example') matched from as a trusted sender, but a blocked sender beats trusted and acceptable senders.`,
    );
  });

  it('beats an acceptable sender', () => {
    const blocked = block('partner.example', 'DOMAIN');
    const acceptable = allow('partner.example', 'DOMAIN', { is_acceptable_sender: true });
    const verdict = verdictOf(settings({ block_senders: [blocked], allow_policies: [acceptable] }), message({ from: 'x@partner.example' }));
    expect(verdict.disposition).toBe('MALICIOUS');
  });
});

describe('exempt recipient', () => {
  it("sets that recipient's disposition to NONE whatever else matched; others keep the verdict", () => {
    const exempt = allow('phish@example.com', 'EMAIL', { is_exempt_recipient: true });
    const account = settings({
      allow_policies: [exempt],
      block_senders: [block('evil.example', 'DOMAIN')],
      impersonation_registry: [displayName('Jane Doe', 'jane@example.com')],
    });
    const verdict = verdictOf(
      account,
      message({
        from: 'x@evil.example',
        from_name: 'Jane Doe',
        recipients: ['phish@example.com', 'bob@example.com'],
        detections: ['MALICIOUS'],
        authentication: { dmarc: 'fail' },
      }),
    );
    expect(verdict.recipients).toEqual([
      { address: 'phish@example.com', disposition: 'NONE', action: 'deliver' },
      { address: 'bob@example.com', disposition: 'MALICIOUS', action: 'deliver' },
    ]);
    expect(verdict.disposition).toBe('MALICIOUS');
  });

  it('when every recipient is exempt the message disposition is NONE', () => {
    const exempt = allow('example.com', 'DOMAIN', { is_exempt_recipient: true });
    const verdict = verdictOf(
      settings({ allow_policies: [exempt], block_senders: [block('evil.example', 'DOMAIN')] }),
      message({ from: 'x@evil.example', recipients: ['a@example.com'] }),
    );
    expect(verdict.disposition).toBe('NONE');
    expect(verdict.explanation[0]).toMatch(/^MALICIOUS: blocked sender/);
    expect(verdict.explanation.join(' ')).toMatch(/Recipient a@example\.com: NONE, exempt recipient/);
  });
});

describe('trusted sender', () => {
  it('gives NONE, overriding every detection, and says which', () => {
    const trusted = allow('sim.example', 'DOMAIN', { is_trusted_sender: true });
    const account = settings({
      allow_policies: [trusted],
      impersonation_registry: [displayName('Jane Doe', 'jane@example.com')],
      domains: [domain('sims.example')],
    });
    const verdict = verdictOf(
      account,
      message({
        from: 'ceo@sim.example',
        from_name: 'Jane Doe',
        detections: ['MALICIOUS', 'SPAM'],
        authentication: { dmarc: 'fail' },
        sender_domain_age_days: 1,
      }),
    );
    expect(verdict.disposition).toBe('NONE');
    expect(verdict.explanation[0]).toBe(`NONE: trusted sender, allow policy ${trusted.id} ('sim.example') matched from.`);
    const overridden = verdict.explanation[1];
    for (const word of [
      'MALICIOUS because the content scanner',
      'SPAM because',
      'SPOOF because DMARC failed',
      'MALICIOUS-BEC',
      'days old',
      'looks like protected domain',
    ]) {
      expect(overridden).toContain(word);
    }
  });
});

describe('acceptable sender', () => {
  const acceptable = allow('bulkmailer.example', 'DOMAIN', { is_acceptable_sender: true });

  it('removes SPAM, SPOOF and BULK', () => {
    const verdict = verdictOf(
      settings({ allow_policies: [acceptable] }),
      message({ from: 'x@bulkmailer.example', detections: ['SPAM', 'BULK', 'SPOOF'], authentication: { dmarc: 'fail' } }),
    );
    expect(verdict.disposition).toBe('NONE');
    expect(verdict.explanation[0]).toBe('NONE: every detection was removed.');
  });

  it('removes a lookalike SPOOF', () => {
    const account = settings({
      allow_policies: [allow('examp1e.com', 'DOMAIN', { is_acceptable_sender: true })],
      domains: [domain('example.com')],
    });
    expect(verdictOf(account, message({ from: 'x@examp1e.com' })).disposition).toBe('NONE');
  });

  it('keeps MALICIOUS, SUSPICIOUS and MALICIOUS-BEC', () => {
    const account = settings({ allow_policies: [acceptable], impersonation_registry: [displayName('Jane Doe', 'jane@example.com')] });
    const base = { from: 'x@bulkmailer.example' };
    expect(verdictOf(account, message({ ...base, detections: ['MALICIOUS', 'SPAM'] })).disposition).toBe('MALICIOUS');
    expect(verdictOf(account, message({ ...base, detections: ['SUSPICIOUS', 'BULK'] })).disposition).toBe('SUSPICIOUS');
    expect(verdictOf(account, message({ ...base, sender_domain_age_days: 10 })).disposition).toBe('SUSPICIOUS');
    const bec = verdictOf(account, message({ ...base, from_name: 'Jane Doe', detections: ['SPOOF'] }));
    expect(bec.disposition).toBe('MALICIOUS-BEC');
    expect(bec.explanation.join(' ')).toContain('it removes only SPAM, SPOOF and BULK');
  });
});

describe('impersonation', () => {
  const jane = displayName('Jane Doe', 'jane.doe@example.com');
  const account = settings({ impersonation_registry: [jane] });

  it('a registered name from another address gives MALICIOUS-BEC', () => {
    const verdict = verdictOf(account, message({ from: 'jane.doe.ceo@gmail.example', from_name: 'Jane Doe' }));
    expect(verdict.disposition).toBe('MALICIOUS-BEC');
    expect(effects(verdict)).toEqual([`impersonation_registry:${jane.id}:from_name:impersonation`]);
  });

  it('names compare case-, accent- and whitespace-insensitively, with TR39 confusables folded', () => {
    for (const name of ['JANE DOE', '  jane   doe ', 'Jàné Döe', 'Jаne Doe' /* Cyrillic а */, 'Ｊａｎｅ Ｄｏｅ', 'Jane\u200b Doe']) {
      expect(verdictOf(account, message({ from: 'x@gmail.example', from_name: name })).disposition).toBe('MALICIOUS-BEC');
    }
    expect(verdictOf(account, message({ from: 'x@gmail.example', from_name: 'Jane Dole' })).disposition).toBe('NONE');
  });

  it("the entry's own address (any case) is no impersonation", () => {
    const verdict = verdictOf(account, message({ from: 'Jane.Doe@EXAMPLE.com', from_name: 'Jane Doe' }));
    expect(verdict.disposition).toBe('NONE');
    expect(effects(verdict)).toEqual([`impersonation_registry:${jane.id}:from_name:registered_sender`]);
  });

  it('an entry email may be a regex', () => {
    const bob = displayName('Bob Smith', '(bob|robert)\\.smith@example\\.com', true);
    const regexAccount = settings({ impersonation_registry: [bob] });
    expect(verdictOf(regexAccount, message({ from: 'robert.smith@example.com', from_name: 'Bob Smith' })).disposition).toBe('NONE');
    expect(verdictOf(regexAccount, message({ from: 'bob.smith@example.com.evil', from_name: 'Bob Smith' })).disposition).toBe(
      'MALICIOUS-BEC',
    );
  });

  it('a person registered with several addresses may use any of them', () => {
    const second = displayName('Jane Doe', 'jane@personal.example');
    const verdict = verdictOf(
      settings({ impersonation_registry: [jane, second] }),
      message({ from: 'jane@personal.example', from_name: 'jane doe' }),
    );
    expect(verdict.disposition).toBe('NONE');
  });
});

describe('lookalike domain', () => {
  const protectedDomain = domain('example.com');
  const account = settings({ domains: [protectedDomain] });
  const disposition = (from: string, extra = settings({ domains: [protectedDomain] })) => verdictOf(extra, message({ from })).disposition;

  it('a confusable of a protected domain gives SPOOF (TR39 skeleton, IDN decoded)', () => {
    const verdict = verdictOf(account, message({ from: 'ceo@exаmple.com' /* Cyrillic а */ }));
    expect(verdict.disposition).toBe('SPOOF');
    expect(effects(verdict)).toEqual([`domains:${protectedDomain.id}:from:lookalike`]);
    expect(disposition('ceo@xn--exmple-4nf.com')).toBe('SPOOF'); // the same, in punycode
    expect(disposition('ceo@examp1e.com')).toBe('SPOOF');
    expect(disposition('ceo@exarnple.com')).toBe('SPOOF'); // rn for m
  });

  it('one edit on the registrable name, or another public suffix, gives SPOOF', () => {
    expect(disposition('a@exampel.com')).toBe('SPOOF');
    expect(disposition('a@exmple.com')).toBe('SPOOF');
    expect(disposition('a@examples.com')).toBe('SPOOF');
    expect(disposition('a@mail.example.co.uk')).toBe('SPOOF');
    expect(disposition('a@example.net')).toBe('SPOOF');
    expect(disposition('a@exampleco.com')).toBe('NONE');
    expect(disposition('a@other.com')).toBe('NONE');
  });

  it('protected domains and their subdomains are not lookalikes', () => {
    expect(disposition('a@example.com')).toBe('NONE');
    expect(disposition('a@mail.example.com')).toBe('NONE');
    const sub = settings({ domains: [domain('eu.example.com')] });
    expect(disposition('a@us.example.com', sub)).toBe('NONE'); // same organisation
  });

  it('short names only match exactly', () => {
    const short = settings({ domains: [domain('ibm.com')] });
    expect(disposition('a@ibn.com', short)).toBe('NONE');
    expect(disposition('a@ibm.net', short)).toBe('SPOOF');
  });

  it('a trusted domain with is_similarity cancels it; one with only is_recent does not', () => {
    const similar = trustedDomain('examp1e.com', { is_similarity: true });
    const recentOnly = trustedDomain('exampel.com', { is_recent: true });
    const regex = trustedDomain('.*\\.example\\.org', { is_similarity: true, is_regex: true });
    const withTrusted = settings({ domains: [protectedDomain], trusted_domains: [similar, recentOnly, regex] });
    const verdict = verdictOf(withTrusted, message({ from: 'x@mail.examp1e.com' }));
    expect(verdict.disposition).toBe('NONE');
    expect(effects(verdict)).toEqual([`trusted_domains:${similar.id}:from:exempt_similarity`]);
    expect(verdict.explanation.join(' ')).toContain(`Cancelled by trusted domain ${similar.id}`);
    expect(disposition('x@exampel.com', withTrusted)).toBe('SPOOF');
    expect(disposition('x@mx.example.org', withTrusted)).toBe('NONE');
  });
});

describe('recent domain and DMARC', () => {
  it('a domain younger than 7 days gives MALICIOUS, than 30 SUSPICIOUS', () => {
    const account = settings();
    const disposition = (age: number) => verdictOf(account, message({ sender_domain_age_days: age })).disposition;
    expect(disposition(0)).toBe('MALICIOUS');
    expect(disposition(6.9)).toBe('MALICIOUS');
    expect(disposition(7)).toBe('SUSPICIOUS');
    expect(disposition(29)).toBe('SUSPICIOUS');
    expect(disposition(30)).toBe('NONE');
  });

  it('a trusted domain with is_recent cancels it; one with only is_similarity does not', () => {
    const recent = trustedDomain('newpartner.example', { is_recent: true });
    const similarOnly = trustedDomain('other.example', { is_similarity: true });
    const account = settings({ trusted_domains: [recent, similarOnly] });
    const verdict = verdictOf(account, message({ from: 'a@mail.newpartner.example', sender_domain_age_days: 2 }));
    expect(verdict.disposition).toBe('NONE');
    expect(effects(verdict)).toEqual([`trusted_domains:${recent.id}:from:exempt_recent`]);
    expect(verdictOf(account, message({ from: 'a@other.example', sender_domain_age_days: 2 })).disposition).toBe('MALICIOUS');
  });

  it('DMARC fail gives SPOOF', () => {
    const verdict = verdictOf(settings(), message({ authentication: { dmarc: 'fail', spf: 'pass' } }));
    expect(verdict.disposition).toBe('SPOOF');
    expect(verdict.explanation[0]).toBe('SPOOF: DMARC failed.');
  });
});

describe('sending domain restriction', () => {
  const rule = restriction('bank.example', ['legacy', 'old.bank.example']);
  const account = settings({ sending_domain_restrictions: [rule] });

  it('mail from the domain or a subdomain without TLS is dropped for every recipient', () => {
    for (const from of ['a@bank.example', 'a@mx.bank.example']) {
      const verdict = verdictOf(account, message({ from, tls: false, recipients: ['a@example.com', 'b@example.com'] }));
      expect(verdict.action).toBe('drop');
      expect(verdict.recipients.map((r) => r.action)).toEqual(['drop', 'drop']);
      expect(verdict.matches.map((m) => m.effect)).toEqual(['drop_without_tls']);
    }
  });

  it('checks the envelope sender too', () => {
    const verdict = verdictOf(account, message({ envelope_from: 'bounce@bank.example', from: 'a@elsewhere.example', tls: false }));
    expect(effects(verdict)).toEqual([`sending_domain_restrictions:${rule.id}:envelope_from:drop_without_tls`]);
  });

  it('excluded subdomains (relative or full names) and TLS mail are delivered', () => {
    expect(verdictOf(account, message({ from: 'a@legacy.bank.example', tls: false })).action).toBe('deliver');
    expect(verdictOf(account, message({ from: 'a@x.old.bank.example', tls: false })).action).toBe('deliver');
    expect(verdictOf(account, message({ from: 'a@bank.example', tls: true })).action).toBe('deliver');
    expect(verdictOf(account, message({ from: 'a@bank.example' })).action).toBe('deliver');
  });

  it('drops exempt recipients too', () => {
    const exempt = allow('soc@example.com', 'EMAIL', { is_exempt_recipient: true });
    const verdict = verdictOf(
      settings({ sending_domain_restrictions: [rule], allow_policies: [exempt] }),
      message({ from: 'a@bank.example', tls: false, recipients: ['soc@example.com'] }),
    );
    expect(verdict.recipients).toEqual([{ address: 'soc@example.com', disposition: 'NONE', action: 'drop' }]);
  });
});

describe('drop_dispositions', () => {
  it("drops a recipient whose protected domain lists the recipient's final disposition", () => {
    const home = domain('example.com', ['MALICIOUS', 'SPAM']);
    const other = domain('other.example', []);
    const account = settings({ domains: [home, other], block_senders: [block('evil.example', 'DOMAIN')] });
    const verdict = verdictOf(
      account,
      message({ from: 'x@evil.example', recipients: ['a@example.com', 'b@other.example', 'c@third.example'] }),
    );
    expect(verdict.recipients.map((r) => r.action)).toEqual(['drop', 'deliver', 'deliver']);
    expect(verdict.action).toBe('deliver');
    expect(effects(verdict)).toContain(`domains:${home.id}:recipients[0]:drop`);
    const spam = verdictOf(account, message({ detections: ['SPAM'], recipients: ['a@example.com'] }));
    expect(spam).toMatchObject({ disposition: 'SPAM', action: 'drop' });
    const bulk = verdictOf(account, message({ detections: ['BULK'], recipients: ['a@example.com'] }));
    expect(bulk.action).toBe('deliver');
  });

  it('the most specific protected domain decides', () => {
    const parent = domain('example.com', ['MALICIOUS']);
    const child = domain('eu.example.com', []);
    const account = settings({ domains: [parent, child] });
    expect(verdictOf(account, message({ detections: ['MALICIOUS'], recipients: ['a@eu.example.com'] })).action).toBe('deliver');
    expect(verdictOf(account, message({ detections: ['MALICIOUS'], recipients: ['a@us.example.com'] })).action).toBe('drop');
  });

  it('an exempt recipient (NONE) is not dropped for the message disposition', () => {
    const account = settings({
      domains: [domain('example.com', ['MALICIOUS'])],
      allow_policies: [allow('soc@example.com', 'EMAIL', { is_exempt_recipient: true })],
    });
    const verdict = verdictOf(account, message({ detections: ['MALICIOUS'], recipients: ['soc@example.com', 'bob@example.com'] }));
    expect(verdict.recipients.map((r) => `${r.disposition}/${r.action}`)).toEqual(['NONE/deliver', 'MALICIOUS/drop']);
  });
});

describe('severity', () => {
  it('MALICIOUS > MALICIOUS-BEC > SUSPICIOUS > SPOOF > SPAM > BULK > NONE', () => {
    const account = settings({ impersonation_registry: [displayName('Jane Doe', 'jane@example.com')] });
    const ladder = [
      { detections: ['BULK'] as const, expected: 'BULK' },
      { detections: ['BULK', 'SPAM'] as const, expected: 'SPAM' },
      { detections: ['SPAM', 'SPOOF'] as const, expected: 'SPOOF' },
      { detections: ['SPOOF', 'SUSPICIOUS'] as const, expected: 'SUSPICIOUS' },
      { detections: ['SUSPICIOUS'] as const, bec: true, expected: 'MALICIOUS-BEC' },
      { detections: ['MALICIOUS'] as const, bec: true, expected: 'MALICIOUS' },
    ];
    for (const step of ladder) {
      const verdict = verdictOf(
        account,
        message({ detections: [...step.detections], ...(step.bec ? { from_name: 'Jane Doe', from: 'x@gmail.example' } : {}) }),
      );
      expect(verdict.disposition).toBe(step.expected);
      expect(verdict.explanation[0]).toMatch(new RegExp(`^${step.expected}: `));
    }
  });

  it('on a tie, a matched setting is named as the decider before the content scanner', () => {
    const rule = block('evil.example', 'DOMAIN');
    const verdict = verdictOf(
      settings({ block_senders: [rule] }),
      message({ from: 'x@evil.example', detections: ['MALICIOUS', 'MALICIOUS'] }),
    );
    expect(verdict.explanation).toEqual([
      `MALICIOUS: blocked sender ${rule.id} ('evil.example') matched from.`,
      'Also matched, not decisive: MALICIOUS because the content scanner proposed MALICIOUS.',
    ]);
  });

  it('less severe matches are listed as not decisive', () => {
    const verdict = verdictOf(settings(), message({ detections: ['SPAM', 'SUSPICIOUS'] }));
    expect(verdict.explanation).toEqual([
      'SUSPICIOUS: the content scanner proposed SUSPICIOUS.',
      'Also matched, not decisive: SPAM because the content scanner proposed SPAM.',
    ]);
  });
});

describe('verdict shape', () => {
  it('echoes the id (null when absent) and says when nothing applied', () => {
    expect(verdictOf(settings(), message({ id: 'm-1' }))).toEqual({
      id: 'm-1',
      disposition: 'NONE',
      action: 'deliver',
      recipients: [{ address: 'user@example.com', disposition: 'NONE', action: 'deliver' }],
      matches: [],
      explanation: ['NONE: no detection or setting applies.'],
    });
    expect(verdictOf(settings(), message()).id).toBeNull();
  });

  it('reports matches in a stable order: collection, id, field, effect', () => {
    const b1 = block('evil.example', 'DOMAIN');
    const b2 = block('x@evil.example', 'EMAIL');
    const a1 = allow('evil.example', 'DOMAIN', { is_trusted_sender: true, is_acceptable_sender: true });
    const verdict = verdictOf(
      settings({ block_senders: [b2, b1], allow_policies: [a1] }),
      message({ envelope_from: 'x@evil.example', from: 'x@evil.example' }),
    );
    expect(effects(verdict)).toEqual([
      `block_senders:${b1.id}:envelope_from:block`,
      `block_senders:${b1.id}:from:block`,
      `block_senders:${b2.id}:envelope_from:block`,
      `block_senders:${b2.id}:from:block`,
      `allow_policies:${a1.id}:envelope_from:trusted_sender`,
      `allow_policies:${a1.id}:envelope_from:acceptable_sender`,
      `allow_policies:${a1.id}:from:trusted_sender`,
      `allow_policies:${a1.id}:from:acceptable_sender`,
    ]);
  });
});
