/**
 * mailwarden's policy engine: applies an account's settings to a message and explains the verdict.
 * A plain module (no Fastify, no database): compile settings once per account, evaluate many messages.
 *
 * @example
 *   import { compileSettings, evaluate } from './engine/index.js';
 *   const compiled = compileSettings(settings);            // after every write to the account's settings
 *   const verdict = evaluate(compiled, { from: 'a@example.net', recipients: ['b@example.com'] });
 */
export { compileSettings, type CompiledSettings, type SettingsChange, type UnusablePattern } from './compile.js';
export { evaluate, evaluateAll, evaluateWith, type Matcher } from './evaluate.js';
export { naiveEvaluate, naiveMatcher } from './naive.js';
export { InvalidMessageError, messageFromEml, messageFromJson, validMessage } from './eml.js';
export {
  checkEvaluateRequest,
  checkMessage,
  EvaluateRequestSchema,
  MAX_MESSAGES,
  MessageSchema,
  VerdictSchema,
  type EvaluateRequest,
} from './message-schema.js';
export { confusable, foldKey, skeleton } from './skeleton/skeleton.js';
export * from './types.js';
