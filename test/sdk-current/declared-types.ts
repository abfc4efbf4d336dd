/**
 * The response types the current `cloudflare` SDK declares, read from its own `.d.ts` files with the
 * TypeScript compiler, so a returned record can be checked field by field against what a typed client
 * (the SDK itself, or a Go or Terraform client generated from the same schema) expects.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import ts from 'typescript';

const require = createRequire(import.meta.url);
// The package exports no `./package.json`; its main entry sits at its root.
const SDK_ROOT = dirname(require.resolve('cloudflare-current'));
const SETTINGS = join(SDK_ROOT, 'resources/email-security/settings');

/** The SDK's version, read from its package.json. */
export const SDK_VERSION: string = JSON.parse(readFileSync(join(SDK_ROOT, 'package.json'), 'utf8')).version;

interface Declarations {
  /** Interfaces by qualified name (`DomainGetResponse`, `DomainGetResponse.Authorization`, ...). */
  interfaces: Map<string, ts.InterfaceDeclaration>;
  source: ts.SourceFile;
}

const files = new Map<string, Declarations>();

function declarations(file: string): Declarations {
  const cached = files.get(file);
  if (cached) return cached;
  const path = join(SETTINGS, `${file}.d.ts`);
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
  const interfaces = new Map<string, ts.InterfaceDeclaration>();
  const visit = (statements: readonly ts.Statement[], scope: string[]) => {
    for (const statement of statements) {
      if (ts.isInterfaceDeclaration(statement)) interfaces.set([...scope, statement.name.text].join('.'), statement);
      if (ts.isModuleDeclaration(statement) && statement.body && ts.isModuleBlock(statement.body)) {
        visit(statement.body.statements, [...scope, statement.name.text]);
      }
    }
  };
  visit(source.statements, []);
  const loaded = { interfaces, source };
  files.set(file, loaded);
  return loaded;
}

/** `Ns.Name` of the interface named `name` where `scope` (the referring interface's namespace path) can see it. */
function resolve(decls: Declarations, name: string, scope: string[]): string {
  for (let depth = scope.length; depth >= 0; depth--) {
    const qualified = [...scope.slice(0, depth), name].join('.');
    if (decls.interfaces.has(qualified)) return qualified;
  }
  throw new Error(`the SDK declares no interface ${name} (seen from ${scope.join('.') || 'the top level'})`);
}

/** What is wrong with `value` as a `type`, or nothing; `path` names the value in messages. */
function check(decls: Declarations, type: ts.TypeNode, value: unknown, path: string, scope: string[]): string[] {
  if (ts.isParenthesizedTypeNode(type)) return check(decls, type.type, value, path, scope);
  if (ts.isUnionTypeNode(type)) {
    const attempts = type.types.map((member) => check(decls, member, value, path, scope));
    return attempts.some((problems) => problems.length === 0) ? [] : [`${path}: ${JSON.stringify(value)} is not ${type.getText()}`];
  }
  const fail = [`${path}: ${JSON.stringify(value)} is not ${type.getText()}`];
  switch (type.kind) {
    case ts.SyntaxKind.StringKeyword:
      return typeof value === 'string' ? [] : fail;
    case ts.SyntaxKind.NumberKeyword:
      return typeof value === 'number' && Number.isFinite(value) ? [] : fail;
    case ts.SyntaxKind.BooleanKeyword:
      return typeof value === 'boolean' ? [] : fail;
    case ts.SyntaxKind.UnknownKeyword:
    case ts.SyntaxKind.AnyKeyword:
      return [];
  }
  if (ts.isLiteralTypeNode(type)) {
    if (type.literal.kind === ts.SyntaxKind.NullKeyword) return value === null ? [] : fail;
    if (ts.isStringLiteral(type.literal)) return value === type.literal.text ? [] : fail;
    if (ts.isNumericLiteral(type.literal)) return value === Number(type.literal.text) ? [] : fail;
    if (type.literal.kind === ts.SyntaxKind.TrueKeyword) return value === true ? [] : fail;
    if (type.literal.kind === ts.SyntaxKind.FalseKeyword) return value === false ? [] : fail;
  }
  if (ts.isArrayTypeNode(type)) {
    if (!Array.isArray(value)) return fail;
    return value.flatMap((item, index) => check(decls, type.elementType, item, `${path}[${index}]`, scope));
  }
  if (ts.isTypeReferenceNode(type)) {
    const name = type.typeName.getText();
    if (name === 'Array') {
      if (!Array.isArray(value)) return fail;
      return value.flatMap((item, index) => check(decls, type.typeArguments![0], item, `${path}[${index}]`, scope));
    }
    return checkInterface(decls, resolve(decls, name, scope), value, path);
  }
  throw new Error(`${path}: the checker does not know the SDK type ${type.getText()}`);
}

function checkInterface(decls: Declarations, qualified: string, value: unknown, path: string): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${path}: ${JSON.stringify(value)} is not ${qualified}`];
  const declaration = decls.interfaces.get(qualified)!;
  const scope = qualified.split('.');
  const record = value as Record<string, unknown>;
  const problems: string[] = [];
  const declared = new Set<string>();
  for (const member of declaration.members) {
    if (!ts.isPropertySignature(member) || !member.type) continue;
    const name = member.name.getText();
    declared.add(name);
    if (!(name in record)) {
      if (!member.questionToken) problems.push(`${path}.${name}: missing, but ${qualified} requires it`);
      continue;
    }
    problems.push(...check(decls, member.type, record[name], `${path}.${name}`, scope));
  }
  for (const name of Object.keys(record)) {
    if (!declared.has(name)) problems.push(`${path}.${name}: not a field of ${qualified}`);
  }
  return problems;
}

/**
 * Every way `value` differs from the interface `name` of the SDK file `file` (e.g. `allow-policies`,
 * `AllowPolicyGetResponse`): a declared field of another type, a required field missing, a field the
 * SDK does not declare. Empty when the value is exactly what the SDK declares.
 */
export function declaredTypeProblems(file: string, name: string, value: unknown): string[] {
  const decls = declarations(file);
  if (!decls.interfaces.has(name)) throw new Error(`the SDK file ${file} declares no interface ${name}`);
  return checkInterface(decls, name, value, name);
}

/** The declared fields of an SDK interface, to check that a test saw each of them. */
export function declaredFields(file: string, name: string): string[] {
  const declaration = declarations(file).interfaces.get(name);
  if (!declaration) throw new Error(`the SDK file ${file} declares no interface ${name}`);
  return declaration.members.filter(ts.isPropertySignature).map((member) => member.name.getText());
}

/** The methods the SDK resource class of `file` declares (`create`, `list`, ...). */
export function declaredMethods(file: string): string[] {
  const { source } = declarations(file);
  const methods: string[] = [];
  for (const statement of source.statements) {
    if (ts.isClassDeclaration(statement) && statement.name?.text.startsWith('Base')) {
      for (const member of statement.members) if (ts.isMethodDeclaration(member)) methods.push(member.name.getText());
    }
  }
  return methods;
}
