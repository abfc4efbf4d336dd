/** A record field as text: strings as they are, nothing as '', anything else (numbers, booleans) as JSON. */
export function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  return JSON.stringify(value);
}
