/**
 * The dimension list (assessment_dimension_list): each mapping entry compiled into the elements it repeats over
 * (none, the rows of a group, matching columns, a JSON array) and a builder that turns one element's values into
 * one dimension, or none when it holds no answer.
 */
import { ConfigError } from '../errors.js';
import { dimensionSchema } from './assessment.js';
import { asText, compileValue, splitText, type CompiledValue, type Scope, type ValueContext } from './compileValue.js';
import { compileExpression, shorten } from './expression.js';
import { dimensionTypeNames, type DimensionSpec, type EachSpec } from './mappingSchema.js';
import { refuse, type MappingOutput } from './output.js';
import { Refusal } from './refusal.js';
import { compilePath } from './path.js';
import type { SourceRecord } from '../read/source.js';

/** The record being mapped, as entries see it. */
export interface RecordContext {
  scope: Scope;
  /** The rows of a group, or the record alone. */
  rows: ReadonlyArray<SourceRecord>;
}

export type CompiledEach =
  | { async: false; elements(context: RecordContext): Scope[] }
  | { async: true; elements(context: RecordContext): Promise<Scope[]> };

export interface CompiledDimension {
  each: CompiledEach;
  /** Read per element, then handed to build in the same order. */
  values: CompiledValue[];
  /** Some value is an expression: await its reads. */
  async: boolean;
  /** Appends the element's dimension to list, unless it holds nothing worth sending. */
  build(raws: unknown[], scope: Scope, list: Array<Record<string, unknown>>, output: MappingOutput): void;
}

export interface DimensionContext extends ValueContext {
  /** The input's columns, when known before the first record (CSV). */
  header?: readonly string[];
  /** The input's name, for messages. */
  source: string;
}

type Field = 'assessment_type' | 'title' | 'description' | 'score' | 'option' | 'options' | 'content' | 'answer';
const plainFields = ['title', 'description', 'score', 'option', 'options', 'content'] as const;
const textFields: ReadonlySet<Field> = new Set(['title', 'description', 'option', 'options', 'content']);
const answerFields: ReadonlySet<Field> = new Set(['score', 'option', 'options', 'content', 'answer']);
/** Where each type carries its answer. */
type AnswerField = 'score' | 'option' | 'content' | 'options';
const answerFieldOf: Partial<Record<PropertyKey, AnswerField>> = { 1: 'score', 2: 'option', 3: 'content', 4: 'options' };

/** Whether a present value makes its dimension worth sending (see omitWhen). */
type Counts = (field: Field, value: CompiledValue) => boolean;
const countsWhen: Record<'unanswered' | 'empty', Counts> = {
  unanswered: (field) => answerFields.has(field),
  empty: (_field, value) => !value.literal,
};

export function compileDimension(spec: DimensionSpec, at: string, context: DimensionContext): CompiledDimension {
  const each = compileEach(spec.each, `${at}.each`, context);
  const valueContext: ValueContext = { ...context, checkPath: each.checkPath };
  const fields: Field[] = [];
  const values: CompiledValue[] = [];
  if (spec.type !== undefined) {
    const type = spec.type;
    fields.push('assessment_type');
    // A type written as a name or number is a constant; an object reads it per element.
    values.push(compileValue(typeof type === 'object' ? type : typeNumber(type)!, `${at}.type`, valueContext));
  } else if (spec.answer !== undefined) {
    throw new ConfigError(`mapping ${at}: answer needs a type, to know which field it goes in`);
  }
  for (const field of [...plainFields, 'answer'] as const) {
    const fieldSpec = spec[field];
    if (fieldSpec === undefined) continue;
    fields.push(field);
    values.push(compileValue(fieldSpec, `${at}.${field}`, valueContext, textFields.has(field) ? 'text' : 'any'));
  }
  const counts = countsWhen[spec.omitWhen ?? 'unanswered'];
  return {
    each: each.compiled,
    values,
    async: values.some((value) => value.async),
    build: (raws, scope, list, output) => buildDimension(fields, values, counts, raws, scope, list, output),
  };
}

function buildDimension(
  fields: readonly Field[],
  values: readonly CompiledValue[],
  counts: Counts,
  raws: unknown[],
  scope: Scope,
  list: Array<Record<string, unknown>>,
  output: MappingOutput,
): void {
  const index = list.length;
  const problemsBefore = output.problems.length;
  const dimension: Record<string, unknown> = {};
  let worthSending = false;
  /** Where the answer went, if it was placed. */
  let answerField: AnswerField | undefined;
  for (let at = 0; at < fields.length; at++) {
    const field = fields[at]!;
    const value = values[at]!;
    const result = value.settle(raws[at]);
    if (result === undefined) continue;
    if (result instanceof Refusal) {
      // `answer` is not a request field: name the one it goes in (the type is settled before it).
      const target = field === 'answer' ? (answerFieldOf[dimension.assessment_type as PropertyKey] ?? 'assessment_type') : field;
      refuse(output, dimensionPath(index, target), result, value.describe(scope));
      continue;
    }
    if (counts(field, value)) worthSending = true;
    if (field === 'answer') answerField = placeAnswer(dimension, result, index, output);
    else dimension[field] = field === 'assessment_type' ? (typeNumber(result) ?? result) : result;
  }
  if (!worthSending && output.problems.length === problemsBefore) return;
  list.push(dimension);
  for (let at = 0; at < fields.length; at++) {
    const target = fields[at] === 'answer' ? answerField : fields[at]!;
    if (target === undefined || dimension[target] === undefined) continue;
    const source = values[at]!.describe(scope);
    if (source !== undefined) output.sources[dimensionPath(index, target)] = source;
  }
}

/**
 * The answer goes into the field its type needs, shaped for it: options a list (text split on |), option and
 * content text. Returns that field, or undefined when the answer was not placed.
 */
function placeAnswer(dimension: Record<string, unknown>, answer: unknown, index: number, output: MappingOutput): AnswerField | undefined {
  const type = dimension.assessment_type;
  const field = answerFieldOf[type as PropertyKey];
  if (field === undefined) {
    if (type !== undefined) {
      output.problems.push({
        field: dimensionPath(index, 'assessment_type'),
        reason: `'${String(type)}' is not a dimension type (${dimensionTypeNames.join(', ')}, 1-4)`,
      });
    }
    return undefined;
  }
  if (dimension[field] !== undefined) return undefined; // an explicit field wins over the generic answer
  dimension[field] = field === 'score' ? answer : field === 'options' && typeof answer === 'string' ? splitText(answer, '|') : asText(answer);
  return field;
}

/** Request paths of dimension fields, built once: they are object keys on every record. */
const dimensionPaths: Array<Record<string, string>> = [];
function dimensionPath(index: number, field: string): string {
  const paths = (dimensionPaths[index] ??= {});
  return (paths[field] ??= `assessment_dimension_list[${index}].${field}`);
}

const typeCache = new Map<unknown, 1 | 2 | 3 | 4 | undefined>();

/** A type label or number as the API's integer (the labels validation accepts); undefined when it is none. */
function typeNumber(value: unknown): 1 | 2 | 3 | 4 | undefined {
  if (typeCache.has(value)) return typeCache.get(value);
  const parsed = dimensionSchema.shape.assessment_type.safeParse(value);
  const type = parsed.success ? parsed.data : undefined;
  if (typeCache.size < 1000) typeCache.set(value, type); // labels are few; a column of free text must not grow this
  return type;
}

interface EachCompiled {
  compiled: CompiledEach;
  /** How value specs inside this entry are checked, when the element's keys are known in advance. */
  checkPath: ((path: string, at: string) => void) | undefined;
}

function compileEach(spec: EachSpec | undefined, at: string, context: DimensionContext): EachCompiled {
  if (spec === undefined) return { compiled: { async: false, elements: (record) => [record.scope] }, checkPath: context.checkPath };
  if (spec === 'rows') {
    return {
      compiled: {
        async: false,
        elements: ({ scope, rows }) => rows.map((row) => ({ data: row.fields, record: scope.record, rows: scope.rows, where: `line ${row.line}` })),
      },
      checkPath: context.checkPath,
    };
  }
  if ('columns' in spec) return compileEachColumn(spec.columns, at, context);
  if ('from' in spec) {
    context.checkPath?.(spec.from, at);
    const read = compilePath(spec.from);
    return { compiled: { async: false, elements: ({ scope }) => itemScopes(read(scope.data), spec.from, scope) }, checkPath: undefined };
  }
  const evaluate = compileExpression(spec.expr, `${at}.expr`);
  const label = shorten(spec.expr);
  return { compiled: { async: true, elements: async ({ scope }) => itemScopes(await evaluate(scope), label, scope) }, checkPath: undefined };
}

/** The items of an array (a single value counts as one item; absent or a failed expression as none). */
function itemScopes(items: unknown, label: string, scope: Scope): Scope[] {
  const list = Array.isArray(items) ? items : items === undefined || items === null || typeof items !== 'object' ? [] : [items];
  return list.map((item, index) => ({ data: item, record: scope.record, rows: scope.rows, where: `item ${index + 1} of ${label}` }));
}

/** One element per matching column, or per set of columns sharing all named groups but `field`. */
interface ColumnGroup {
  /** The element without its values: column, title, the named groups. */
  fixed: Record<string, string>;
  /** Element key -> column it is read from. */
  columnOf: Record<string, string>;
}

function compileEachColumn(pattern: string, at: string, context: DimensionContext): EachCompiled {
  const regExp = new RegExp(pattern, 'u');
  const plan = (columns: readonly string[]) => planColumnGroups(regExp, columns);
  const elements = (groups: ColumnGroup[], scope: Scope): Scope[] =>
    groups.map(({ fixed, columnOf }) => {
      const data: Record<string, unknown> = { ...fixed };
      for (const key in columnOf) data[key] = (scope.data as Record<string, unknown>)[columnOf[key]!];
      return { data, record: scope.record, rows: scope.rows, columnOf, where: `column ${fixed.column}` };
    });
  if (!context.header) {
    // JSON records: the keys may differ per record.
    return { compiled: { async: false, elements: ({ scope }) => elements(plan(Object.keys(scope.data as object)), scope) }, checkPath: undefined };
  }
  const groups = plan(context.header);
  if (groups.length === 0) {
    throw new ConfigError(`mapping ${at}.columns: no column of ${context.source} matches /${pattern}/ (columns: ${context.header.join(', ')})`);
  }
  const keys = new Set(groups.flatMap((group) => [...Object.keys(group.fixed), ...Object.keys(group.columnOf)]));
  return {
    compiled: { async: false, elements: ({ scope }) => elements(groups, scope) },
    checkPath: (path, pathAt) => {
      if (!keys.has(path)) throw new ConfigError(`mapping ${pathAt}: elements of ${at} have no '${path}' (they have: ${[...keys].join(', ')})`);
    },
  };
}

function planColumnGroups(regExp: RegExp, columns: readonly string[]): ColumnGroup[] {
  const groups = new Map<string, ColumnGroup>();
  for (const column of columns) {
    const match = regExp.exec(column);
    if (!match) continue;
    const { field, ...named } = match.groups ?? {};
    const key = field === undefined ? column : JSON.stringify(named);
    let group = groups.get(key);
    if (!group) {
      group = { fixed: { ...definedOnly(named), column, title: named.title ?? column }, columnOf: {} };
      groups.set(key, group);
    }
    group.columnOf[field ?? 'value'] = column;
  }
  return [...groups.values()];
}

function definedOnly(groups: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(groups).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
