/**
 * JSONata expressions of a mapping, compiled once; the only part of a mapping that is evaluated asynchronously. Each
 * evaluation is bounded (MAX_EXPRESSION_STEPS, MAX_EXPRESSION_DEPTH, MAX_EXPRESSION_ITEMS): a loop, a runaway
 * recursion or a huge range refuses its record with a reason instead of holding the CPU or the heap, and a long
 * evaluation lets the event loop run now and then, so Ctrl-C, SIGTERM and SIGHUP are heard while it runs.
 */
import jsonata from 'jsonata';
import { MAX_EXPRESSION_DEPTH, MAX_EXPRESSION_ITEMS, MAX_EXPRESSION_STEPS } from '../limits.js';
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
    expression = jsonata(text, { sequence: MAX_EXPRESSION_ITEMS } as jsonata.JsonataOptions);
  } catch (error) {
    const { message, position } = error as { message: string; position?: number };
    throw place.error(at, `invalid JSONata expression: ${message}${position === undefined ? '' : ` (at character ${position})`}`);
  }
  expression.assign(EVALUATE_ENTRY as unknown as string, guard);
  const evaluate: CompiledExpression = async (scope) => {
    try {
      const result = await expression.evaluate(scope.data, { ...functions, record: scope.record, rows: scope.rows });
      // JSONata marks its result sequences with extra properties; hand on a plain array.
      return Array.isArray(result) ? Array.from(result) : result;
    } catch (error) {
      // An evaluation error is kept as a value, so one bad record never stops the others.
      const { code, message } = error as { code?: string; message: string };
      // JSONata's own message for its sequence bound names the size tried, not the bound.
      return new Refusal(code === 'D2015' ? `expression made a sequence of more than ${MAX_EXPRESSION_ITEMS.toLocaleString('en-US')} items` : message);
    }
  };
  return { evaluate, reads: readsOf(expression.ast()) };
}

/** JSONata calls this before it evaluates each node (its documented hook for bounding an evaluation). */
const EVALUATE_ENTRY = Symbol.for('jsonata.__evaluate_entry');

/** Every this many steps an evaluation waits for the event loop once: signals are handled, then it goes on. */
const STEPS_BETWEEN_BREATHS = 10_000;

/** The steps each evaluation (known by its root frame, which JSONata makes anew per evaluate) has taken so far. */
const stepsTaken = new WeakMap<object, number>();

/** JSONata's frame as the hook sees it: `base` is the evaluation's root frame, whose `depth` JSONata keeps. */
type Frame = { base: { depth: number } };

function guard(_node: unknown, _input: unknown, frame: Frame): Promise<void> | undefined {
  const { base } = frame;
  const steps = (stepsTaken.get(base) ?? 0) + 1;
  stepsTaken.set(base, steps);
  if (base.depth > MAX_EXPRESSION_DEPTH) {
    throw new Error(`expression nests more than ${MAX_EXPRESSION_DEPTH} levels deep (a recursion that does not end?)`);
  }
  if (steps > MAX_EXPRESSION_STEPS) {
    throw new Error(`expression took more than ${MAX_EXPRESSION_STEPS.toLocaleString('en-US')} evaluation steps for this record (a loop that does not end?)`);
  }
  return steps % STEPS_BETWEEN_BREATHS === 0 ? new Promise((resolve) => setImmediate(resolve)) : undefined;
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
