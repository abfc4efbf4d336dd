import type { FieldError } from '../http/errors.js';
import { checkPattern, type PatternType } from '../validation/patterns.js';
import type { Values } from './definition.js';

/** Record check shared by allow policies and blocked senders: the pattern must fit its type. */
export function validateSenderPattern(values: Values): FieldError[] {
  const problem = checkPattern(String(values.pattern), values.pattern_type as PatternType, values.is_regex === true);
  return problem ? [{ pointer: '/pattern', message: problem }] : [];
}
