/**
 * List fields of a body (assessment_dimension_list, education_list): each mapping entry compiled into the elements
 * it repeats over (none, the rows of a group, matching columns, a JSON array) and the list element it builds from
 * each, or none when the element holds nothing worth sending. In a list whose elements carry a typed answer (the
 * description's answer rule), an entry's `type` fills the rule's `by` field and its `answer` lands in the field the
 * type names. Everything API-specific comes from the description.
 */
import type { AnswerRule, Field, Fields } from '../endpoints/types.js';
import type { SourceRecord } from '../read/source.js';
import { intReader, type IntReader, type IntType } from '../validate/integers.js';
import { nearest } from '../validate/suggest.js';
import { fieldPaths, resolveField } from './bodyFields.js';
import { asText, compileValue, noteExpressionReads, splitText, type CompiledValue, type ReadScope, type Scope, type ValueContext } from './compileValue.js';
import { compileExpression, shorten } from './expression.js';
import { entryKeywords, type EachSpec, type ListEntrySpec, type TypeSpec, type ValueSpec } from './mappingSchema.js';
import { refuse, type MappingOutput } from './output.js';
import { compileColumnPattern, type ColumnPattern } from './columnPattern.js';
import { alternativesMatchingNothing } from './patternAlternatives.js';
import { compilePath, compileSetter, type PathReader, type PathWriter } from './path.js';
import { Refusal } from './refusal.js';

/** The record being mapped, as entries see it. */
export interface RecordContext {
  scope: Scope;
  /** The rows of a group, or the record alone. */
  rows: ReadonlyArray<SourceRecord>;
}

type CompiledEach =
  | { async: false; elements(context: RecordContext): Scope[] }
  | { async: true; elements(context: RecordContext): Promise<Scope[]> };

/** One value of an entry and where it goes in the element. */
interface Part {
  /** `type` fills the answer rule's `by` field; `answer` the field the type names; `field` the element field `field`. */
  role: 'type' | 'answer' | 'field';
  /** The element field path (for `answer`: none until the type is known). */
  field: string;
  read: PathReader;
  write: PathWriter;
  value: CompiledValue;
  /** A present value makes the element worth sending (see omitWhen). */
  counts: boolean;
}

interface CompiledEntry {
  each: CompiledEach;
  /** The type first and the answer last, so the answer knows where it goes. */
  parts: Part[];
}

export interface CompiledList {
  /** The list's body path: where it is set, and how its problems are named. */
  path: string;
  /** Some element or value is read by an expression: await it. */
  async: boolean;
  /** Some entry repeats over the rows of a group. */
  usesRows: boolean;
  /** Builds the record's elements; the list goes into the candidate unless it is empty. */
  fill(record: RecordContext, output: MappingOutput): Promise<void>;
}

export interface ListContext extends ValueContext {
  /** The input's columns, when known before the first record (CSV). */
  header?: readonly string[];
  /** The input's name, for messages. */
  source: string;
}

/** The list's description as entries see it. */
interface ListShape {
  path: string;
  of: Fields;
  answer?: AnswerRule;
  /** Reads the `by` field's labels and numbers (answer rule only). */
  types?: IntReader;
}

/** `at` is the entries' place in the mapping (dimensions, lists.education_list). */
export function compileList(path: string, field: Field, specs: readonly ListEntrySpec[], at: string, context: ListContext): CompiledList {
  if (field.type.kind !== 'list') throw context.place.error(at, `${path} is not a list`);
  const { of, answer } = field.type;
  const byType = answer === undefined ? undefined : of[answer.by]?.type;
  const shape: ListShape = { path, of, answer, types: byType?.kind === 'int' ? intReader(byType as IntType) : undefined };
  const entries = specs.map((spec, index) => compileEntry(spec, `${at}[${index}]`, shape, context));
  const setList = compileSetter(path);
  /** Problem paths by element index and field, built once: they are object keys on every record. */
  const paths: Array<Record<string, string>> = [];
  const elementPath = (index: number, name: string) => ((paths[index] ??= {})[name] ??= `${path}[${index}].${name}`);

  const fill = async (record: RecordContext, output: MappingOutput) => {
    const list: Array<Record<string, unknown>> = [];
    const building: Building = { list, output, shape, elementPath };
    for (const entry of entries) {
      const elements = entry.each.async ? await entry.each.elements(record) : entry.each.elements(record);
      for (const scope of elements) {
        const element = new ElementBuilder(scope, building);
        for (const part of entry.parts) {
          const { value } = part;
          element.put(part, value.settle(value.async ? await value.read(scope) : value.read(scope)));
        }
        element.finish(entry.parts);
      }
    }
    if (list.length > 0) setList(output.candidate, list);
  };
  return {
    path,
    async: entries.some((entry) => entry.each.async || entry.parts.some((part) => part.value.async)),
    usesRows: specs.some((spec) => spec.each === 'rows'),
    fill,
  };
}

interface Building {
  list: Array<Record<string, unknown>>;
  output: MappingOutput;
  shape: ListShape;
  elementPath(index: number, name: string): string;
}

/** One element being built from its parts' settled values; appended to the list unless it holds nothing worth sending. */
class ElementBuilder {
  readonly #element: Record<string, unknown> = {};
  readonly #index: number;
  readonly #problemsBefore: number;
  #worthSending = false;
  /** Where the answer went, if it was placed. */
  #answerField: string | undefined;

  constructor(
    readonly scope: Scope,
    readonly building: Building,
  ) {
    this.#index = building.list.length;
    this.#problemsBefore = building.output.problems.length;
  }

  put(part: Part, result: unknown): void {
    if (result === undefined) return;
    const { output, shape, elementPath } = this.building;
    if (result instanceof Refusal) {
      // `answer` is not a request field: name the one it goes in (the type is settled before it).
      const target = part.role === 'answer' ? (answerFieldFor(this.#element, shape) ?? shape.answer!.by) : part.field;
      refuse(output, elementPath(this.#index, target), result, part.value.describe(this.scope));
      return;
    }
    if (part.counts) this.#worthSending = true;
    if (part.role === 'answer') this.#answerField = this.#placeAnswer(result);
    else part.write(this.#element, part.role === 'type' ? (shape.types?.read(result) ?? result) : result);
  }

  finish(parts: readonly Part[]): void {
    const { list, output, elementPath } = this.building;
    if (!this.#worthSending && output.problems.length === this.#problemsBefore) return;
    list.push(this.#element);
    for (const part of parts) {
      const target = part.role === 'answer' ? this.#answerField : part.field;
      if (target === undefined || (part.role === 'answer' ? this.#element[target] : part.read(this.#element)) === undefined) continue;
      const source = part.value.describe(this.scope);
      if (source !== undefined) output.sources[elementPath(this.#index, target)] = source;
    }
  }

  /**
   * The answer goes into the field its type names, shaped for it: a list of text is split on |, text is text.
   * Returns that field, or undefined when the answer was not placed.
   */
  #placeAnswer(answer: unknown): string | undefined {
    const { shape, output, elementPath } = this.building;
    const element = this.#element;
    const field = answerFieldFor(element, shape);
    if (field === undefined) {
      const type = element[shape.answer!.by];
      if (type !== undefined) output.problems.push({ field: elementPath(this.#index, shape.answer!.by), reason: shape.types!.refusal(type) });
      return undefined;
    }
    if (element[field] !== undefined) return undefined; // an explicit field wins over the generic answer
    const kind = shape.of[field]?.type.kind;
    element[field] = kind === 'strings' && typeof answer === 'string' ? splitText(answer, '|') : kind === 'string' || kind === 'strings' ? asText(answer) : answer;
    return field;
  }
}

function answerFieldFor(element: Record<string, unknown>, shape: ListShape): string | undefined {
  return shape.answer!.fieldFor[element[shape.answer!.by] as number];
}

function compileEntry(spec: ListEntrySpec, at: string, shape: ListShape, context: ListContext): CompiledEntry {
  const each = compileEach(spec.each, `${at}.each`, context);
  const values: ValueContext = { ...context, scope: each.scope };
  const { answer, of } = shape;
  const omitWhen = spec.omitWhen ?? (answer ? 'unanswered' : 'empty');
  if (omitWhen === 'unanswered' && !answer) throw context.place.error(`${at}.omitWhen`, `unanswered needs a list with typed answers; ${shape.path} has none`);
  const answerFields = new Set(answer ? Object.values(answer.fieldFor) : []);
  const counts = (role: Part['role'], field: string, value: CompiledValue) =>
    omitWhen === 'empty' ? !value.literal : role === 'answer' || answerFields.has(field);
  const part = (role: Part['role'], field: string, value: CompiledValue): Part => ({
    role, field, value, read: compilePath(field), write: compileSetter(field), counts: counts(role, field, value),
  });

  const parts: Part[] = [];
  let type: Part | undefined;
  let answerPart: Part | undefined;
  // Besides each and omitWhen, every key holds a value spec (`type` too: a label is a constant).
  for (const [key, valueSpec] of Object.entries(spec) as Array<[string, ValueSpec | undefined]>) {
    if (key === 'each' || key === 'omitWhen' || valueSpec === undefined) continue;
    const keyAt = `${at}.${key}`;
    if (key === 'type' && answer) {
      type = part('type', answer.by, compileType(valueSpec, keyAt, shape, values));
      continue;
    }
    if (key === 'answer') {
      if (!answer) throw context.place.error(keyAt, `the elements of ${shape.path} have no typed answer: map their fields by name (${fieldPaths(of).join(', ')})`);
      answerPart = part('answer', '', compileValue(valueSpec, keyAt, values));
      continue;
    }
    const resolved = resolveField(of, key, `${shape.path} elements`, entryKeywords);
    if (!resolved.ok) throw context.place.error(keyAt, resolved.reason);
    const kind = resolved.field.type.kind;
    const compiled = compileValue(valueSpec, keyAt, values, kind === 'string' || kind === 'strings' ? 'text' : 'any');
    if (answer && key === answer.by) type = part('type', key, compiled);
    else parts.push(part('field', key, compiled));
  }
  if (answerPart && !type) throw context.place.error(at, 'answer needs a type, to know which field it goes in');
  return { each: each.compiled, parts: [...(type ? [type] : []), ...parts, ...(answerPart ? [answerPart] : [])] };
}

/** A type written as a label or number is a constant, checked now; an object reads it per element. */
function compileType(spec: TypeSpec, at: string, shape: ListShape, context: ValueContext): CompiledValue {
  if (typeof spec === 'object') return compileValue(spec, at, context);
  const number = shape.types?.read(spec);
  if (number === undefined) {
    throw context.place.error(at, shape.types ? shape.types.refusal(spec) : `${shape.answer!.by} is not a field with labels`);
  }
  return compileValue({ value: number }, at, context);
}

interface EachCompiled {
  compiled: CompiledEach;
  /** What value specs inside this entry read. */
  scope: ReadScope;
}

function compileEach(spec: EachSpec | undefined, at: string, context: ListContext): EachCompiled {
  if (spec === undefined) return { compiled: { async: false, elements: (record) => [record.scope] }, scope: context.scope };
  if (spec === 'rows') {
    return {
      compiled: {
        async: false,
        elements: ({ scope, rows }) => rows.map((row) => ({ data: row.fields, record: scope.record, rows: scope.rows, where: `line ${row.line}` })),
      },
      scope: context.record,
    };
  }
  if ('columns' in spec) return compileEachColumn(spec.columns, at, context);
  if ('from' in spec) {
    context.record.check?.(spec.from, at);
    context.record.read?.(spec.from);
    const read = compilePath(spec.from);
    return { compiled: { async: false, elements: ({ scope }) => itemScopes(read(scope.data), spec.from, scope) }, scope: {} };
  }
  const { evaluate, reads } = compileExpression(spec.expr, `${at}.expr`, context.place, context.functions);
  noteExpressionReads(reads, `${at}.expr`, context.record, context);
  const label = shorten(spec.expr);
  return { compiled: { async: true, elements: async ({ scope }) => itemScopes(await evaluate(scope), label, scope) }, scope: {} };
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

function compileEachColumn(pattern: string, at: string, context: ListContext): EachCompiled {
  let regExp: ColumnPattern;
  try {
    regExp = compileColumnPattern(pattern);
  } catch (error) {
    throw context.place.error(`${at}.columns`, (error as Error).message);
  }
  const plan = (columns: readonly string[]) => planColumnGroups(regExp, columns);
  const elements = (groups: ColumnGroup[], scope: Scope): Scope[] =>
    groups.map(({ fixed, columnOf }) => {
      const data: Record<string, unknown> = { ...fixed };
      for (const key in columnOf) data[key] = (scope.data as Record<string, unknown>)[columnOf[key]!];
      return { data, record: scope.record, rows: scope.rows, columnOf, where: `column ${fixed.column}` };
    });
  if (!context.header) {
    // JSON records: the keys may differ per record.
    return { compiled: { async: false, elements: ({ scope }) => elements(plan(Object.keys(scope.data as object)), scope) }, scope: {} };
  }
  const { header } = context;
  const groups = plan(header);
  if (groups.length === 0) {
    throw context.place.error(`${at}.columns`, `no column of ${context.source} matches /${pattern}/ (columns: ${header.join(', ')})`);
  }
  for (const alternative of alternativesMatchingNothing(pattern, header)) {
    const near = nearest(alternative, header);
    context.warn(context.place.warning(`${at}.columns`, `'${alternative}' matches no column of ${context.source}${near === undefined ? '' : ` (did you mean '${near}'?)`}`));
  }
  for (const group of groups) for (const column of Object.values(group.columnOf)) context.record.read?.(column);
  const keys = [...new Set(groups.flatMap((group) => [...Object.keys(group.fixed), ...Object.keys(group.columnOf)]))];
  return {
    compiled: { async: false, elements: ({ scope }) => elements(groups, scope) },
    scope: {
      check: (path, pathAt) => {
        if (!keys.includes(path)) throw context.place.error(pathAt, `elements of ${at} have no '${path}' (they have: ${keys.join(', ')})`);
      },
      names: keys,
      namesAre: `a key of the elements of ${at}`,
    },
  };
}

function planColumnGroups(regExp: ColumnPattern, columns: readonly string[]): ColumnGroup[] {
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
