/** JSONata expressions of a mapping, compiled once; the only part of a mapping that is evaluated asynchronously. */
import jsonata from 'jsonata';
import { ConfigError } from '../errors.js';
import { Refusal } from './refusal.js';

/** What an expression sees: its input, plus the record and (for a group) its rows as $record and $rows. */
export interface ExpressionScope {
  data: unknown;
  record: Record<string, unknown>;
  rows: ReadonlyArray<Record<string, unknown>>;
}

export type CompiledExpression = (scope: ExpressionScope) => Promise<unknown>;

/** `at` names the place in the mapping (fields.content.expr) for the ConfigError a syntax error raises. */
export function compileExpression(text: string, at: string): CompiledExpression {
  let expression: jsonata.Expression;
  try {
    expression = jsonata(text);
  } catch (error) {
    const { message, position } = error as { message: string; position?: number };
    throw new ConfigError(`mapping ${at}: invalid JSONata expression: ${message}${position === undefined ? '' : ` (at character ${position})`}`);
  }
  return async (scope) => {
    try {
      const result = await expression.evaluate(scope.data, { record: scope.record, rows: scope.rows });
      // JSONata marks its result sequences with extra properties; hand on a plain array.
      return Array.isArray(result) ? Array.from(result) : result;
    } catch (error) {
      // An evaluation error is kept as a value, so one bad record never stops the others.
      return new Refusal((error as Error).message);
    }
  };
}

export function shorten(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 60 ? `${line.slice(0, 57)}...` : line;
}
