/**
 * Dispositions: what a verdict says about a message, and what a protected domain may drop. The
 * settings API's and the evaluate endpoint's schemas take their lists from here.
 */

/** Verdict dispositions, most severe first. */
export const DISPOSITIONS = ['MALICIOUS', 'MALICIOUS-BEC', 'SUSPICIOUS', 'SPOOF', 'SPAM', 'BULK', 'NONE'] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

/** Dispositions a content scanner may propose in a message's `detections`. */
export const DETECTIONS = ['MALICIOUS', 'SUSPICIOUS', 'SPOOF', 'SPAM', 'BULK'] as const satisfies readonly Disposition[];

/**
 * What a protected domain's `drop_dispositions` may list, in the API's order: the verdict
 * dispositions and three that other stages of a mail pipeline give (ENCRYPTED, EXTERNAL, UNKNOWN),
 * which the engine never gives and so never drops for.
 */
export const DROP_DISPOSITIONS = [...DISPOSITIONS.slice(0, 6), 'ENCRYPTED', 'EXTERNAL', 'UNKNOWN', 'NONE'] as [
  ...Exclude<Disposition, 'NONE'>[],
  'ENCRYPTED',
  'EXTERNAL',
  'UNKNOWN',
  'NONE',
];
export type DropDisposition = Disposition | 'ENCRYPTED' | 'EXTERNAL' | 'UNKNOWN';

/** Severity rank of each disposition (0 = most severe), as `DISPOSITIONS` orders them. */
export function severity(disposition: Disposition): number {
  switch (disposition) {
    case 'MALICIOUS':
      return 0;
    case 'MALICIOUS-BEC':
      return 1;
    case 'SUSPICIOUS':
      return 2;
    case 'SPOOF':
      return 3;
    case 'SPAM':
      return 4;
    case 'BULK':
      return 5;
    case 'NONE':
      return 6;
    default:
      // Not a disposition (only unvalidated input): compares as neither more nor less severe.
      return NaN;
  }
}

/** The more severe of two dispositions. */
export function moreSevere(a: Disposition, b: Disposition): Disposition {
  return severity(a) <= severity(b) ? a : b;
}

/** A bit of its own for each verdict disposition (0 for anything else): sets of dispositions as masks. */
export function dispositionBit(disposition: string): number {
  switch (disposition) {
    case 'MALICIOUS':
      return 1;
    case 'MALICIOUS-BEC':
      return 2;
    case 'SUSPICIOUS':
      return 4;
    case 'SPOOF':
      return 8;
    case 'SPAM':
      return 16;
    case 'BULK':
      return 32;
    case 'NONE':
      return 64;
    default:
      return 0;
  }
}
