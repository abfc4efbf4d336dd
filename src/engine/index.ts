/**
 * mailwarden's policy engine: applies an account's settings to a message and explains the verdict.
 * A library with no tie to the service (no Fastify, no database): compile an account's settings once,
 * evaluate any number of messages. This file is its whole public face; the rest of `src/` imports
 * the engine from here only. README.md describes its design.
 *
 * @example
 *   import { compileSettings, evaluate } from './engine/index.js';
 *   const compiled = compileSettings(settings);            // after every write to the account's settings
 *   const verdict = evaluate(compiled, { from: 'a@example.net', recipients: ['b@example.com'] });
 */

// Settings, and compiling them.
export type {
  AccountSettings,
  EngineAllowPolicy,
  EngineBlockedSender,
  EngineDisplayName,
  EngineDomain,
  EngineSendingDomainRestriction,
  EngineTrustedDomain,
  ResourceName,
  SettingsChange,
} from './settings.js';
export { compileSettings, type CompiledSettings, type UnusablePattern } from './compile.js';

// Evaluating messages, and what a verdict says.
export { evaluate, evaluateAll } from './rules/evaluate.js';
export type { Action, Match, MatchEffect, MatchField, RecipientVerdict, Verdict } from './verdict.js';
export { DETECTIONS, DISPOSITIONS, DROP_DISPOSITIONS, type Disposition, type DropDisposition } from './dispositions.js';

// Messages: the evaluate endpoint's schemas and checks, and reading files.
export { EvaluateRequestSchema, MAX_MESSAGES, VerdictSchema, type EvaluateRequest, type Message } from './message/schema.js';
export { checkEvaluateRequest, InvalidMessageError, messageFromJson, type MessageFieldError } from './message/check.js';
export { messageFromEml, readEml, type EmlOptions, type EmlReading } from './message/eml.js';
export {
  trustedAuthenticationResults,
  type AuthenticationResults,
  type TrustedAuthenticationResults,
} from './message/authentication-results.js';

// What the API accepts as an address and an IP, which the settings API checks patterns with too.
export { checkDomain, checkEmail } from './address/syntax.js';
export { parseIpOrCidr } from './address/ip.js';
