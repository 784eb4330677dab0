/**
 * The shape of src/'s import graph, read with TypeScript's own parser: no module imports itself through others (a
 * cycle, type imports included: they tie modules together for a reader too), and nothing below the command line
 * imports it: the CLI layer (cli.ts, main.ts, program.ts, outcome.ts) and the commands sit on top.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/cli.js';

const src = join(repoRoot, 'src');

/** Every module of src/ and the modules of src/ it imports (statically: `import`, `export ... from`). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'));
  for (const file of files) {
    const path = join(src, file);
    const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest);
    const imported: string[] = [];
    for (const statement of source.statements) {
      const from = (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier;
      if (from && ts.isStringLiteral(from) && from.text.startsWith('.')) imported.push(relative(src, resolve(dirname(path), from.text.replace(/\.js$/, '.ts'))));
    }
    graph.set(file, imported);
  }
  return graph;
}

/** Each cycle found, as the path around it. */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'visiting');
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'visiting') found.push([...path.slice(path.indexOf(next)), next]);
      else if (!state.has(next) && graph.has(next)) visit(next);
    }
    path.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return found;
}

const cliLayer = ['cli.ts', 'main.ts', 'program.ts', 'outcome.ts'];
const isCommandLine = (file: string) => cliLayer.includes(file) || file.startsWith('commands/');

describe('the import graph of src/', () => {
  const graph = importGraph();

  it('reads every module and what it imports', () => {
    expect(graph.get('main.ts')).toContain('program.ts');
    expect(graph.size).toBeGreaterThan(100);
  });

  it('has no cycle', () => {
    expect(cycles(graph).map((cycle) => cycle.join(' -> '))).toEqual([]);
  });

  it('finds a cycle when there is one', () => {
    const planted = new Map(graph).set('report/tally.ts', ['report/problemGroups.ts']).set('report/problemGroups.ts', ['report/tally.ts']);
    expect(cycles(planted).map((cycle) => cycle.join(' -> '))).toContain('report/tally.ts -> report/problemGroups.ts -> report/tally.ts');
  });

  it('has no upward import: only the command line imports the command line and the commands', () => {
    const upward = [...graph].flatMap(([file, imported]) => (isCommandLine(file) ? [] : imported.filter(isCommandLine).map((target) => `${file} -> ${target}`)));
    expect(upward).toEqual([]);
  });
});
