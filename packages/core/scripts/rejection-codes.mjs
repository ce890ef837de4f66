// Which rejection codes each command type can produce, derived from the core's own source: every
// `reject('CODE', …)`, `new Rejection('CODE', …)` and `refused: 'CODE'` reachable from the command's
// transition (TRANSITIONS in engine/dispatch.ts) through the functions it references, plus the shape
// check every command passes first. Over-approximate by design (a referenced function counts as
// called): the OpenAPI document narrows each operation's `code` to this set, and a code missing from
// it would mis-type a generated client, while an extra one costs nothing.
//
//   npm run rejection-codes -w @xdv/core      rewrites src/errors/by-command.gen.ts
// test/rejection-codes.test.ts fails when the committed file is stale.
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const OUTPUT = join(ROOT, 'src/errors/by-command.gen.ts');

/** @param {ts.Node} node @returns {string[]} every string literal inside node that looks like an error code */
function literalCodes(node) {
  const out = [];
  const walk = (n) => {
    if (ts.isStringLiteralLike(n) && /^(HV|Q_ERR|PHI_ERR)_[A-Z_]+$/.test(n.text)) out.push(n.text);
    ts.forEachChild(n, walk);
  };
  walk(node);
  return out;
}

/** @returns {Map<string, string[]>} command type → sorted codes */
export function deriveRejectionCodes() {
  const src = join(ROOT, 'src');
  const config = ts.readConfigFile(join(ROOT, 'tsconfig.build.json'), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  const program = ts.createProgram(parsed.fileNames, parsed.options);
  const checker = program.getTypeChecker();
  /** @type {Map<ts.Symbol, { codes: Set<string>, refs: Set<ts.Symbol> }>} */
  const fns = new Map();
  const resolveSym = (s) => (s && s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);
  const ownerOf = (n) => {
    if (ts.isFunctionDeclaration(n) && n.name) return checker.getSymbolAtLocation(n.name);
    if (ts.isMethodDeclaration(n) && n.name) return checker.getSymbolAtLocation(n.name);
    if (
      ts.isVariableDeclaration(n) &&
      ts.isIdentifier(n.name) &&
      n.initializer &&
      (ts.isArrowFunction(n.initializer) || ts.isFunctionExpression(n.initializer))
    )
      return checker.getSymbolAtLocation(n.name);
    return undefined;
  };
  const files = program.getSourceFiles().filter((f) => f.fileName.startsWith(src));
  for (const file of files) {
    const visit = (n, owner) => {
      const own = ownerOf(n);
      if (own) {
        owner = { codes: new Set(), refs: new Set() };
        fns.set(own, owner);
      }
      if (owner) {
        if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'reject') {
          if (n.arguments[0]) for (const c of literalCodes(n.arguments[0])) owner.codes.add(c);
        } else if (
          ts.isNewExpression(n) &&
          ts.isIdentifier(n.expression) &&
          n.expression.text === 'Rejection'
        ) {
          if (n.arguments?.[0]) for (const c of literalCodes(n.arguments[0])) owner.codes.add(c);
        } else if (ts.isPropertyAssignment(n) && ts.isIdentifier(n.name) && n.name.text === 'refused') {
          for (const c of literalCodes(n.initializer)) owner.codes.add(c);
        } else if (ts.isIdentifier(n)) {
          const s = resolveSym(checker.getSymbolAtLocation(n));
          if (s) owner.refs.add(s);
        }
      }
      ts.forEachChild(n, (c) => visit(c, owner));
    };
    visit(file, undefined);
  }
  const memo = new Map();
  const reach = (sym) => {
    if (memo.has(sym)) return memo.get(sym);
    const acc = new Set();
    memo.set(sym, acc); // a cycle adds what is found so far; the walk below completes it
    const seen = new Set([sym]);
    const stack = [sym];
    while (stack.length > 0) {
      const f = fns.get(stack.pop());
      if (!f) continue;
      for (const c of f.codes) acc.add(c);
      for (const r of f.refs) {
        if (seen.has(r) || !fns.has(r)) continue;
        seen.add(r);
        stack.push(r);
      }
    }
    return acc;
  };
  const symbolNamed = (file, name) => {
    const sf = program.getSourceFile(join(src, file));
    const s = sf && checker.getSymbolAtLocation(sf).exports.get(name);
    if (!s) throw new Error(`${name} not found in ${file}`);
    return s;
  };
  const common = reach(symbolNamed('commands/validate.ts', 'checkCommandShape'));
  const table = symbolNamed('engine/dispatch.ts', 'TRANSITIONS').valueDeclaration;
  if (!table || !ts.isVariableDeclaration(table) || !table.initializer)
    throw new Error('TRANSITIONS is not an object literal');
  let init = table.initializer;
  while (!ts.isObjectLiteralExpression(init)) init = init.expression;
  const out = new Map();
  for (const p of init.properties) {
    const key = p.name && (ts.isIdentifier(p.name) ? p.name.text : p.name.text);
    const target = ts.isShorthandPropertyAssignment(p)
      ? checker.getShorthandAssignmentValueSymbol(p)
      : resolveSym(checker.getSymbolAtLocation(p.initializer));
    if (!target || !fns.has(resolveSym(target))) throw new Error(`no transition function for ${key}`);
    out.set(key, [...new Set([...common, ...reach(resolveSym(target))])].sort());
  }
  return out;
}

/** The generated module's text. */
export function render(codes) {
  const lines = [...codes].map(([type, list]) => `  '${type}': [${list.map((c) => `'${c}'`).join(', ')}],`);
  return `// Generated by scripts/rejection-codes.mjs from the transitions' reject() calls: do not edit.
// Regenerate with \`node packages/core/scripts/rejection-codes.mjs\` (a test fails when it is stale).
import type { CommandType } from '../model/commands.js';
import type { RejectionCode } from '../model/errors.js';

/** The rejection codes each command type can be refused with (a sound over-approximation). */
export const REJECTIONS_BY_COMMAND: { readonly [T in CommandType]: readonly RejectionCode[] } = {
${lines.join('\n')}
};
`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(OUTPUT, render(deriveRejectionCodes()));
  console.log(`wrote ${OUTPUT}`);
}
