/**
 * What one key of an index holds: its value, or an array when it holds more than one. Nearly every
 * key holds one value, and an array for each would make the compiled settings about a fifth bigger.
 */

export type OneOrMore<T> = T | T[];

/** `present` with `value` added (an array from the second value on). Values are never arrays. */
export function addOne<T>(present: OneOrMore<T> | undefined, value: T): OneOrMore<T> {
  if (present === undefined) return value;
  if (Array.isArray(present)) {
    present.push(value);
    return present;
  }
  return [present, value];
}

/** `present` without the values `is` picks out; undefined when none is left. */
export function removeOnes<T>(present: OneOrMore<T> | undefined, is: (value: T) => boolean): OneOrMore<T> | undefined {
  if (present === undefined) return undefined;
  if (!Array.isArray(present)) return is(present) ? undefined : present;
  const kept = present.filter((value) => !is(value));
  return kept.length === 0 ? undefined : kept.length === 1 ? kept[0] : kept;
}

/** The values as a list (the index's own array when there are several: read only). */
export function listOf<T>(values: OneOrMore<T>): readonly T[] {
  return Array.isArray(values) ? values : [values];
}
