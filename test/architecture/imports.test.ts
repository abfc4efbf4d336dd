/**
 * The import structure of src/, read from the source files themselves (TypeScript's own reader of
 * import, export-from and dynamic import statements, type-only ones included):
 * - src/engine is a library: it imports nothing from the rest of src/;
 * - the rest of src/ uses the engine through its face, src/engine/index.ts, never its internals;
 * - no import cycles anywhere in src/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const ENGINE = 'src/engine/';
const ENGINE_FACE = 'src/engine/index.ts';

/** Every TypeScript file under `dir`, as a path relative to the repository root. */
function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

/** The files a file imports from src/ (relative specifiers, `.js` read as the `.ts` it is built from); packages are left out. */
function importsOf(file: string, text: string): string[] {
  return ts
    .preProcessFile(text, true, true)
    .importedFiles.map((imported) => imported.fileName)
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => relative(ROOT, resolve(ROOT, dirname(file), specifier)).replace(/\.js$/, '.ts'));
}

type Graph = Map<string, string[]>;

/** Imports from inside src/engine to outside it. */
function engineImportsOutside(graph: Graph): string[] {
  const found: string[] = [];
  for (const [file, imports] of graph) {
    if (!file.startsWith(ENGINE)) continue;
    for (const target of imports) if (!target.startsWith(ENGINE)) found.push(`${file} -> ${target}`);
  }
  return found;
}

/** Imports of engine files other than its face from outside src/engine. */
function engineInternalsImported(graph: Graph): string[] {
  const found: string[] = [];
  for (const [file, imports] of graph) {
    if (file.startsWith(ENGINE)) continue;
    for (const target of imports) if (target.startsWith(ENGINE) && target !== ENGINE_FACE) found.push(`${file} -> ${target}`);
  }
  return found;
}

/** Every import cycle, each as the files around it (depth-first search; one cycle reported per back edge). */
function importCycles(graph: Graph): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    path.push(file);
    for (const target of graph.get(file) ?? []) {
      if (state.get(target) === 'open') cycles.push([...path.slice(path.indexOf(target)), target]);
      else if (!state.has(target)) visit(target);
    }
    path.pop();
    state.set(file, 'done');
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return cycles;
}

function graphOf(files: Record<string, string>): Graph {
  return new Map(Object.entries(files).map(([file, text]) => [file, importsOf(file, text)]));
}

const source = graphOf(Object.fromEntries(sourceFiles('src').map((file) => [file, readFileSync(join(ROOT, file), 'utf8')])));

describe('the import structure of src/', () => {
  it('reads the tree (the engine, its face and the service are all there)', () => {
    expect(source.has(ENGINE_FACE)).toBe(true);
    expect(source.get('src/policy/evaluate-routes.ts')).toContain(ENGINE_FACE);
    expect([...source.keys()].filter((file) => file.startsWith(ENGINE)).length).toBeGreaterThan(10);
  });

  it('src/engine imports nothing outside src/engine', () => {
    expect(engineImportsOutside(source)).toEqual([]);
  });

  it('the rest of src/ imports the engine only through src/engine/index.ts', () => {
    expect(engineInternalsImported(source)).toEqual([]);
  });

  it('has no import cycles', () => {
    expect(importCycles(source)).toEqual([]);
  });
});

describe('the checks catch what they look for', () => {
  const bad = graphOf({
    'src/engine/index.ts': "export { evaluate } from './rules/evaluate.js';",
    'src/engine/rules/evaluate.ts': "import type { FieldError } from '../../http/errors.js';\nimport { x } from './decide.js';",
    'src/engine/rules/decide.ts': "export * from './evaluate.js';",
    'src/http/errors.ts': "const { Ajv } = await import('ajv');",
    'src/cli/evaluate-command.ts': "import { decide } from '../engine/rules/decide.js';\nimport { evaluate } from '../engine/index.js';",
  });

  it('an engine file importing the service, even for a type', () => {
    expect(engineImportsOutside(bad)).toEqual(['src/engine/rules/evaluate.ts -> src/http/errors.ts']);
  });

  it('the service importing an engine internal', () => {
    expect(engineInternalsImported(bad)).toEqual(['src/cli/evaluate-command.ts -> src/engine/rules/decide.ts']);
  });

  it('a cycle, re-exports included', () => {
    expect(importCycles(bad)).toEqual([['src/engine/rules/decide.ts', 'src/engine/rules/evaluate.ts', 'src/engine/rules/decide.ts']]);
  });
});
