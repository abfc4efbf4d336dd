/**
 * Candidates: the dispositions rules propose for a message, each with the reason the explanation
 * gives. The rules keep the most severe one (decide.ts).
 */
import type { Disposition } from '../dispositions.js';
import type { EngineAllowPolicy } from '../settings.js';
import type { MatchField } from '../verdict.js';

const RECENT_MALICIOUS_DAYS = 7;
export const RECENT_SUSPICIOUS_DAYS = 30;

/** What the rules say about a sender hit (see `hitTexts`). */
export interface HitTexts {
  /** The MALICIOUS candidate of a blocked sender. */
  readonly candidate: Candidate | undefined;
  /** `allow policy 7 ('x') matched from`, for allow policies. */
  readonly policy: string | undefined;
  /** The verify_sender note of an allow policy that is not honoured. */
  readonly notHonoured: string | undefined;
}

/** SPAM, SPOOF and BULK: what an acceptable sender removes. */
export function removedByAcceptable(disposition: Disposition): boolean {
  return disposition === 'SPAM' || disposition === 'SPOOF' || disposition === 'BULK';
}

/**
 * A disposition some rule proposes, and why. Candidates that recur (DMARC failed, the scanner's
 * detections, a domain's age) are shared between evaluations, so the lines naming them are built
 * once, on first use (`line`, `because`); a candidate is never modified otherwise.
 */
export class Candidate {
  private decides: string | undefined = undefined;
  private cause: string | undefined = undefined;
  private also: string | undefined = undefined;

  constructor(
    readonly disposition: Disposition,
    readonly reason: string,
  ) {}

  /** `SPOOF: DMARC failed.`: the first line of the explanation when this candidate decides. */
  get line(): string {
    return (this.decides ??= `${this.disposition}: ${this.reason}.`);
  }

  /** `SPOOF because DMARC failed`: how lists of other candidates name it. */
  get because(): string {
    return (this.cause ??= `${this.disposition} because ${this.reason}`);
  }

  /** The explanation line naming this candidate as the only other one that matched. */
  get alsoLine(): string {
    return (this.also ??= `Also matched, not decisive: ${this.because}.`);
  }
}

export const DMARC_FAILED = new Candidate('SPOOF', 'DMARC failed');
const detectionCandidates = new Map<string, Candidate>();

export function detectionCandidate(detection: Disposition): Candidate {
  let candidate = detectionCandidates.get(detection);
  if (candidate === undefined) {
    candidate = new Candidate(detection, `the content scanner proposed ${detection}`);
    // The schema allows five values; anything else is not kept.
    if (detectionCandidates.size < 16) detectionCandidates.set(detection, candidate);
  }
  return candidate;
}

/** Recent-domain candidates for whole numbers of days, by age. */
const ageCandidates: Candidate[] = [];

export function ageCandidate(age: number): Candidate {
  const disposition: Disposition = age < RECENT_MALICIOUS_DAYS ? 'MALICIOUS' : 'SUSPICIOUS';
  const limit = age < RECENT_MALICIOUS_DAYS ? RECENT_MALICIOUS_DAYS : RECENT_SUSPICIOUS_DAYS;
  const cached = Number.isInteger(age) && age >= 0 && !Object.is(age, -0);
  if (cached && ageCandidates[age] !== undefined) return ageCandidates[age];
  const candidate = new Candidate(disposition, `the sender domain is ${age} days old (under ${limit})`);
  if (cached) ageCandidates[age] = candidate;
  return candidate;
}

export const quote = (text: string) => `'${text}'`;

export function describePolicy(policy: EngineAllowPolicy, field: MatchField): string {
  return `allow policy ${policy.id} (${quote(policy.pattern)}) matched ${field}`;
}

/** `a`, `a; and b`, `a; b; and c`. */
export function list(candidates: readonly Candidate[]): string {
  const last = candidates.length - 1;
  if (last < 0) return '';
  if (last === 0) return candidates[0].because;
  let text = candidates[0].because;
  for (let i = 1; i < last; i++) text += `; ${candidates[i].because}`;
  return `${text}; and ${candidates[last].because}`;
}
