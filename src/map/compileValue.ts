/**
 * One value spec compiled into plain closures: where the raw value comes from (a path, a constant or a JSONata
 * expression) and how it is settled (trim, split, map, lookup, default). Only `expr` is asynchronous; everything else
 * is a few property reads per record.
 */
import { nearest } from '../validate/suggest.js';
import { declaredDateReader } from '../validate/dates.js';
import { compileExpression, shorten, type ExpressionFunctions, type ExpressionReads, type ExpressionScope } from './expression.js';
import type { Lookup } from './lookup.js';
import type { ValueSpec, ValueSpecObject } from './mappingSchema.js';
import { compilePath, keyText } from './path.js';
import type { MappingPlace } from './place.js';
import { Refusal } from './refusal.js';
import { StepKey } from './stepKey.js';

/** What a value spec reads: the record, or inside `each` one element of it. */
export interface Scope extends ExpressionScope {
  /** Where the element sits, for messages: `line 14`, `item 2 of scorecard.attributes`, `column 专业能力`. */
  where?: string;
  /** Element key -> the column it was read from (each over columns). */
  columnOf?: Readonly<Record<string, string>>;
}

/** Where a value comes from. */
type CompiledSource = {
  /** A constant: it says nothing about whether the source holds data. */
  literal: boolean;
  /** Where the value came from, for messages: `column 评分, line 14`; undefined for constants. */
  describe(scope: Scope): string | undefined;
} & ({ async: false; read(scope: Scope): unknown } | { async: true; read(scope: Scope): Promise<unknown> });

export type CompiledValue = CompiledSource & {
  /**
   * The settled value: undefined when absent, a Refusal when the record cannot be mapped. Called with what `read`
   * returned, awaited when `async` is set.
   */
  settle(raw: unknown): unknown;
};

/** What the values of one place read (the record's columns, an element's keys), as far as it is known before reading. */
export interface ReadScope {
  /** Throws a ConfigError when a path names nothing here (a typo in a column name). */
  check?(path: string, at: string): void;
  /** The names known in advance (CSV columns, keys of column elements): an expression naming another is warned about. */
  names?: readonly string[];
  /** What those names are, for the warning: `a column of export.csv`. */
  namesAre?: string;
  /** Notes that a name was read, for the warning about columns no value reads. */
  read?(name: string): void;
  /** Notes that everything may be read (an expression over `$`). */
  readAll?(): void;
}

export interface ValueContext {
  format: 'csv' | 'jsonl';
  lookups: ReadonlyMap<string, Lookup>;
  place: MappingPlace;
  /** What plain paths and expressions read. */
  scope: ReadScope;
  /** What `$record.` paths and `$record`/`$rows` in expressions read, whatever the scope. */
  record: ReadScope;
  warn(message: string): void;
  /** The IANA zone of dates written without an offset (input.timezone); the machine's when undefined. */
  zone?: string;
  /** What expressions may call besides JSONata's own functions ($date). */
  functions: ExpressionFunctions;
}

const recordPrefix = '$record.';

/**
 * `at` is the spec's place in the mapping (fields.conclusion), for configuration errors. A `text` field takes
 * numbers as their text: JSON exports hold ids and answers as numbers where the API wants strings.
 */
export function compileValue(spec: ValueSpec, at: string, context: ValueContext, kind: 'text' | 'any' = 'any'): CompiledValue {
  const full: ValueSpecObject = typeof spec === 'string' ? { from: spec } : typeof spec === 'number' ? { value: spec } : spec;
  const settle = compileSettle(full, at, context);
  return { ...compileSource(full, at, context), settle: kind === 'text' ? (raw) => asText(settle(raw)) : settle };
}

/** Numbers (alone or in a list) as text; anything else as it is. */
export function asText(value: unknown): unknown {
  if (typeof value === 'number') return String(value);
  return Array.isArray(value) ? value.map((item: unknown) => (typeof item === 'number' ? String(item) : item)) : value;
}

function compileSource(spec: ValueSpecObject, at: string, context: ValueContext): CompiledSource {
  if (spec.expr !== undefined) {
    const label = `expression ${shorten(spec.expr)}`;
    const { evaluate, reads } = compileExpression(spec.expr, `${at}.expr`, context.place, context.functions);
    noteExpressionReads(reads, `${at}.expr`, context.scope, context);
    return { literal: false, async: true, read: evaluate, describe: (scope) => located(label, scope) };
  }
  if (spec.from !== undefined) {
    const fromRecord = spec.from.startsWith(recordPrefix);
    const path = fromRecord ? spec.from.slice(recordPrefix.length) : spec.from;
    const scope = fromRecord ? context.record : context.scope;
    scope.check?.(path, at);
    scope.read?.(path);
    const readPath = compilePath(path);
    const label = `${context.format === 'csv' ? 'column' : 'field'} ${path}`;
    if (fromRecord) return { literal: false, async: false, read: (scope) => readPath(scope.record), describe: () => label };
    return {
      literal: false,
      async: false,
      read: (scope) => readPath(scope.data),
      describe: (scope) => {
        if (scope.columnOf === undefined) return located(label, scope);
        // An element made from columns: its values name their column, the rest (title, ...) the match they came from.
        const column = scope.columnOf[path];
        return column === undefined ? `${path} of ${scope.where}` : `column ${column}`;
      },
    };
  }
  const constant = spec.value;
  return { literal: true, async: false, read: () => constant, describe: () => undefined };
}

/**
 * Notes the names an expression reads (`scope` for its input, the record for `$record`/`$rows`), and warns about
 * each that is not a name the scope has: `$join([综合评价, 备住])` silently drops 备住 otherwise.
 */
export function noteExpressionReads(reads: ExpressionReads, at: string, scope: ReadScope, context: ValueContext): void {
  const note = (names: Iterable<string>, whole: boolean, where: ReadScope) => {
    if (whole) where.readAll?.();
    for (const name of names) {
      where.read?.(name);
      if (where.names === undefined || where.names.includes(name)) continue;
      const near = nearest(name, where.names);
      context.warn(context.place.warning(at, `'${name}' is not ${where.namesAre}${near === undefined ? '' : ` (did you mean '${near}'?)`}`));
    }
  };
  note(reads.names, reads.whole, scope);
  note(reads.recordNames, reads.wholeRecord, context.record);
}

function located(label: string, scope: Scope): string {
  return scope.where === undefined ? label : `${label}, ${scope.where}`;
}

function compileSettle(spec: ValueSpecObject, at: string, context: ValueContext): (raw: unknown) => unknown {
  // White space around a value is an export's accident far more often than data: trimmed unless the mapping says keep.
  const { trim = true, split } = spec;
  const fallback = spec.default;
  const steps: Translate[] = [];
  if (spec.date_format !== undefined) steps.push(dateStep(spec.date_format, context.zone));
  if (spec.map) steps.push(mapStep(spec.map));
  if (spec.lookup !== undefined) steps.push(lookupStep(spec.lookup, `${at}.lookup`, context));

  return (raw) => {
    if (raw instanceof Refusal) return raw;
    let value = raw;
    if (trim && typeof value === 'string') value = value.trim();
    if (split !== undefined && typeof value === 'string') value = splitText(value, split);
    if (isAbsent(value)) return fallback;
    for (const step of steps) {
      value = Array.isArray(value) ? translateAll(value, step) : step(value);
      if (value instanceof Refusal) return fallback ?? value;
      if (value === null) return undefined; // the map said: leave this field out
    }
    return value;
  };
}

export function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

/** Text split on a separator, items trimmed and empty items dropped: `a | b ||` -> [a, b]. */
export function splitText(value: string, separator: string): string[] {
  const items: string[] = [];
  for (const item of value.split(separator)) {
    const trimmed = item.trim();
    if (trimmed !== '') items.push(trimmed);
  }
  return items;
}

/** One translation of a single value: the new value, null for "leave out", or a Refusal. */
type Translate = (value: unknown) => unknown;

function translateAll(values: unknown[], step: Translate): unknown {
  const translated: unknown[] = [];
  for (const value of values) {
    const result = step(value);
    if (result instanceof Refusal) return result;
    if (result !== null) translated.push(result);
  }
  return translated;
}

/**
 * A date in its declared format(s), read in the input's zone, handed on as ISO 8601 with its offset: the date field
 * reads that exactly, whatever else the text could have meant (05.03.2024 is the 5th of March, not May the 3rd).
 */
function dateStep(format: string | readonly string[], zone: string | undefined): Translate {
  const formats = typeof format === 'string' ? [format] : format;
  const read = declaredDateReader(formats, zone);
  const named = formats.length === 1 ? `the format ${formats[0]}` : `any of the formats ${formats.join(', ')}`;
  return (value) => {
    if (typeof value !== 'string') return value;
    const ms = read(value);
    return ms === undefined ? new Refusal(`'${value}' is not a date in ${named}`) : new Date(ms).toISOString();
  };
}

function mapStep(map: Record<string, string | number | null>): Translate {
  const entries = new Map(Object.entries(map).map(([key, value]) => [key.trim().toLowerCase(), value]));
  const keys = Object.keys(map);
  const listed = keys.length > 8 ? `${keys.slice(0, 8).join(', ')}, ...` : keys.join(', ');
  return (value) => {
    const key = keyText(value).toLowerCase();
    const mapped = entries.get(key);
    return mapped !== undefined ? mapped : new Refusal(`'${keyText(value)}' is not in the map: ${listed}`);
  };
}

function lookupStep(name: string, at: string, context: ValueContext): Translate {
  const lookup = context.lookups.get(name);
  if (!lookup) {
    const known = [...context.lookups.keys()];
    throw context.place.error(at, `no lookup '${name}' (${known.length ? `lookups: ${known.join(', ')}` : 'the mapping declares no lookups'})`);
  }
  if ('step' in lookup) return (value) => new StepKey(name, keyText(value));
  return (value) => lookup.entries.get(keyText(value)) ?? new Refusal(`'${keyText(value)}' is not a key of lookup ${name} in ${lookup.file}`);
}
