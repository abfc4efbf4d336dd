/** Builders for engine tests: settings records with defaults, and an evaluation through both engines. */
import { expect } from 'vitest';
import { compileSettings, evaluate } from '../../src/engine/index.js';
import { naiveEvaluate } from './reference/naive.js';
import type {
  AccountSettings,
  EngineAllowPolicy,
  EngineBlockedSender,
  EngineDisplayName,
  EngineDomain,
  EngineSendingDomainRestriction,
  EngineTrustedDomain,
  Message,
  Verdict,
} from '../../src/engine/index.js';

let nextId = 1;
const id = () => nextId++;

type PatternType = EngineBlockedSender['pattern_type'];

export function block(pattern: string, pattern_type: PatternType, is_regex = false): EngineBlockedSender {
  return { id: id(), pattern, pattern_type, is_regex };
}

export function allow(
  pattern: string,
  pattern_type: PatternType,
  flags: Partial<Omit<EngineAllowPolicy, 'id' | 'pattern' | 'pattern_type'>>,
): EngineAllowPolicy {
  return {
    id: id(),
    pattern,
    pattern_type,
    is_regex: false,
    is_trusted_sender: false,
    is_exempt_recipient: false,
    is_acceptable_sender: false,
    verify_sender: false,
    ...flags,
  };
}

export function trustedDomain(pattern: string, flags: Partial<Omit<EngineTrustedDomain, 'id' | 'pattern'>>): EngineTrustedDomain {
  return { id: id(), pattern, is_regex: false, is_recent: false, is_similarity: false, ...flags };
}

export function displayName(name: string, email: string, is_email_regex = false): EngineDisplayName {
  return { id: id(), name, email, is_email_regex };
}

export function domain(name: string, drop_dispositions: EngineDomain['drop_dispositions'] = []): EngineDomain {
  return { id: id(), domain: name, drop_dispositions };
}

export function restriction(name: string, exclude: string[] = []): EngineSendingDomainRestriction {
  return { id: id(), domain: name, exclude };
}

export function settings(partial: Partial<AccountSettings> = {}): AccountSettings {
  return {
    allow_policies: [],
    block_senders: [],
    trusted_domains: [],
    impersonation_registry: [],
    domains: [],
    sending_domain_restrictions: [],
    ...partial,
  };
}

export function message(partial: Partial<Message> = {}): Message {
  return { from: 'someone@sender.example', recipients: ['user@example.com'], ...partial };
}

/** Evaluates with the indexed engine, checks the naive reference says exactly the same, returns the verdict. */
export function verdictOf(account: AccountSettings, input: Message): Verdict {
  const indexed = evaluate(compileSettings(account), input);
  expect(naiveEvaluate(account, input)).toEqual(indexed);
  return indexed;
}

/** The effects of the matches, as `resource:id:field:effect` strings (easy to compare in tests). */
export function effects(verdict: Verdict): string[] {
  return verdict.matches.map((m) => `${m.resource}:${m.id}:${m.field}:${m.effect}`);
}
