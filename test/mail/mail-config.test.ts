/** The mail interfaces' environment variables: defaults, parsed values and clear errors. */
import { describe, expect, test } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('mail configuration', () => {
  test('defaults: no milter, no policy service, reject, tempfail, system resolver', () => {
    expect(loadConfig({}).mail).toEqual({ dropAction: 'reject', onError: 'tempfail', dnsCacheSeconds: 60 });
  });

  test('reads every variable', () => {
    const mail = loadConfig({
      MAILWARDEN_MILTER_LISTEN: '127.0.0.1:8891',
      MAILWARDEN_POLICY_LISTEN: 'unix:/run/mailwarden/policy.sock',
      MAILWARDEN_MAIL_DROP_ACTION: 'quarantine',
      MAILWARDEN_MAIL_ON_ERROR: 'accept',
      MAILWARDEN_DNS_SERVER: '127.0.0.1:5353',
      MAILWARDEN_DNS_CACHE_SECONDS: '0',
      MAILWARDEN_TRUSTED_AUTHSERV_ID: 'mx.example.com, relay.example.com',
    }).mail;
    expect(mail).toEqual({
      milterListen: { kind: 'tcp', host: '127.0.0.1', port: 8891 },
      policyListen: { kind: 'unix', path: '/run/mailwarden/policy.sock' },
      dropAction: 'quarantine',
      onError: 'accept',
      dnsServer: '127.0.0.1:5353',
      dnsCacheSeconds: 0,
      trustedAuthservIds: ['mx.example.com', 'relay.example.com'],
    });
  });

  test.each([
    ['MAILWARDEN_MILTER_LISTEN', 'localhost', /MAILWARDEN_MILTER_LISTEN must be HOST:PORT/],
    ['MAILWARDEN_POLICY_LISTEN', 'unix:relative.sock', /MAILWARDEN_POLICY_LISTEN must be unix:\/absolute\/path/],
    ['MAILWARDEN_MAIL_DROP_ACTION', 'bounce', /MAILWARDEN_MAIL_DROP_ACTION/],
    ['MAILWARDEN_MAIL_ON_ERROR', 'ignore', /MAILWARDEN_MAIL_ON_ERROR/],
    ['MAILWARDEN_DNS_SERVER', '127.0.0.1', /MAILWARDEN_DNS_SERVER/],
  ])('%s=%s is refused at start', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });
});
