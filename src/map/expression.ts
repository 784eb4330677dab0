/** JSONata expressions of a mapping, compiled once; the only part of a mapping that is evaluated asynchronously. */
import jsonata from 'jsonata';
import type { MappingPlace } from './place.js';
import { Refusal } from './refusal.js';

/** What an expression sees: its input, plus the record and (for a group) its rows as $record and $rows. */
export interface ExpressionScope {
  data: unknown;
  record: Record<string, unknown>;
  rows: ReadonlyArray<Record<string, unknown>>;
}

export type CompiledExpression = (scope: ExpressionScope) => Promise<unknown>;

/** The tool's own functions an expression may call besides JSONata's (`$date`), by name without the `$`. */
export type ExpressionFunctions = Readonly<Record<string, (...args: never[]) => unknown>>;

/**
 * The names an expression reads, found in its syntax tree: the first step of each path over its input, and the
 * first step after `$record` or `$rows` (which read the record's columns). `whole` when it reads its input as a
 * whole (`$`, `*`, `**`), so no name can be said to be unread.
 */
export interface ExpressionReads {
  names: Set<string>;
  recordNames: Set<string>;
  whole: boolean;
  wholeRecord: boolean;
}

/** `at` names the place in the mapping (fields.content.expr) for the ConfigError a syntax error raises. */
export function compileExpression(text: string, at: string, place: MappingPlace, functions: ExpressionFunctions = {}): { evaluate: CompiledExpression; reads: ExpressionReads } {
  let expression: jsonata.Expression;
  try {
    expression = jsonata(text);
  } catch (error) {
    const { message, position } = error as { message: string; position?: number };
    throw place.error(at, `invalid JSONata expression: ${message}${position === undefined ? '' : ` (at character ${position})`}`);
  }
  const evaluate: CompiledExpression = async (scope) => {
    try {
      const result = await expression.evaluate(scope.data, { ...functions, record: scope.record, rows: scope.rows });
      // JSONata marks its result sequences with extra properties; hand on a plain array.
      return Array.isArray(result) ? Array.from(result) : result;
    } catch (error) {
      // An evaluation error is kept as a value, so one bad record never stops the others.
      return new Refusal((error as Error).message);
    }
  };
  return { evaluate, reads: readsOf(expression.ast()) };
}

type Node = { type?: string; value?: unknown; steps?: Node[]; [key: string]: unknown };

/**
 * Walks the tree, skipping what is relative to something other than the input: the later steps of a path, filters
 * and predicates (they read items), and function bodies (their input is whatever they are applied to).
 */
function readsOf(root: unknown): ExpressionReads {
  const reads: ExpressionReads = { names: new Set(), recordNames: new Set(), whole: false, wholeRecord: false };
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const { type } = node as Node;
    if (type === 'lambda') return;
    if (type === 'path') {
      readPath((node as Node).steps ?? []);
      return;
    }
    if (type === 'name') reads.names.add(String((node as Node).value));
    if (type === 'wildcard' || type === 'descendant' || (type === 'variable' && (node as Node).value === '')) reads.whole = true;
    if (type === 'variable' && ((node as Node).value === 'record' || (node as Node).value === 'rows')) reads.wholeRecord = true;
    for (const [key, child] of Object.entries(node)) {
      if (key !== 'predicate' && key !== 'stages' && key !== 'procedure') visit(child);
    }
  };
  const readPath = (steps: Node[]): void => {
    const [first, second] = steps;
    if (first === undefined) return;
    if (first.type === 'variable' && (first.value === 'record' || first.value === 'rows')) {
      if (second?.type === 'name') reads.recordNames.add(String(second.value));
      else reads.wholeRecord = true;
      return;
    }
    if (first.type === 'name') reads.names.add(String(first.value));
    else visit({ ...first, stages: undefined, predicate: undefined });
  };
  visit(root);
  return reads;
}

export function shorten(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 60 ? `${line.slice(0, 57)}...` : line;
}
