/**
 * Compiling an account's settings for evaluation: the result is safe to share between requests
 * (evaluation is synchronous); apply each committed change to it, or compile again.
 *
 * @example
 *   const compiled = compileSettings({ allow_policies, block_senders, trusted_domains,
 *     impersonation_registry, domains, sending_domain_restrictions });
 *   const verdict = evaluate(compiled, message);
 */
import { CompiledMatcher, type UnusablePattern } from './compiled-matcher.js';
import type { Matcher } from './rules/matcher.js';
import type { AccountSettings, SettingsChange } from './settings.js';

export type { UnusablePattern } from './compiled-matcher.js';

/** Settings compiled for evaluation; build with `compileSettings`, use with `evaluate`. */
export interface CompiledSettings {
  readonly matcher: Matcher;
  /** How many records of each collection are compiled in. */
  readonly counts: Readonly<Record<keyof AccountSettings, number>>;
  /** Patterns that can never match; the API validates patterns, so only legacy data should land here. */
  readonly unusable: readonly UnusablePattern[];
  /**
   * Applies committed changes of the account's settings in place, so the next evaluation sees them
   * without compiling everything again; all or none. False (nothing applied) when the changes do not
   * follow from what is compiled, such as two transactions' changes arriving out of order: compile
   * afresh then.
   */
  apply(changes: readonly SettingsChange[]): boolean;
}

/** Builds the indexes for one account's settings (see compiled-matcher.ts). */
export function compileSettings(settings: AccountSettings): CompiledSettings {
  const matcher = new CompiledMatcher(settings);
  return {
    matcher,
    get counts() {
      return matcher.counts();
    },
    get unusable() {
      return matcher.unusable;
    },
    apply: (changes) => matcher.apply(changes),
  };
}
