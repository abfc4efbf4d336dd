/** An import's diff for a terminal: counts per collection as a table, then the settings that change. */
import type { ImportDiff } from '../transfer/diff.js';
import type { Values } from '../resources/definition.js';
import { textOf } from '../transfer/text-of.js';

/** Settings listed per kind of change before the rest are summed up. */
const LISTED = 20;

function label(values: Values): string {
  return textOf(values.pattern ?? values.domain ?? (values.name !== undefined ? `${textOf(values.name)} <${textOf(values.email)}>` : ''));
}

function changedFields(before: Values, after: Values): string {
  return Object.keys(after)
    .filter((field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]))
    .map((field) => `${field}: ${JSON.stringify(before[field])} -> ${JSON.stringify(after[field])}`)
    .join(', ');
}

export function diffTable(diff: ImportDiff): string {
  const rows = [['collection', 'create', 'update', 'delete', 'unchanged']];
  for (const [name, { counts }] of Object.entries(diff.collections)) {
    rows.push([name, String(counts.create), String(counts.update), String(counts.delete), String(counts.unchanged)]);
  }
  const { counts } = diff;
  rows.push(['total', String(counts.create), String(counts.update), String(counts.delete), String(counts.unchanged)]);
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const lines = rows.map((row) =>
    row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  '),
  );
  for (const [name, collection] of Object.entries(diff.collections)) {
    const entries = [
      ...collection.create.map((values) => `  + ${name}: ${label(values)}`),
      ...collection.update.map(({ id, before, after }) => `  ~ ${name} ${id}: ${label(after)} (${changedFields(before, after)})`),
      ...collection.delete.map((values) => `  - ${name} ${values.id}: ${label(values)}`),
    ];
    lines.push(...entries.slice(0, LISTED));
    if (entries.length > LISTED) lines.push(`  ... and ${entries.length - LISTED} more in ${name}`);
  }
  const verb = diff.dry_run ? 'Dry run, nothing changed' : 'Applied';
  lines.push(`${verb} (${diff.mode}).`);
  return lines.join('\n');
}
