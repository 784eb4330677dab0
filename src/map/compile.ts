/**
 * A mapping spec compiled for one resource into a Mapper: every key is checked against the endpoint description
 * and every value spec becomes a closure once, so mapping a record is property reads and a few comparisons (JSONata
 * runs only for `expr`). Names that match no column or no body field stop here, before anything is sent; mistakes
 * that merely lose data (a column no value reads, a name in an expression that is no column) become warnings.
 */
import type { EndpointDescription, Fields } from '../endpoints/types.js';
import { ConfigError } from '../errors.js';
import type { SourceRecord } from '../read/source.js';
import type { Problem } from '../validate/problem.js';
import { nearest } from '../validate/suggest.js';
import { luxonDateFormat } from '../validate/dateFormat.js';
import { dateFormatsTried, dateReader, declaredDateReader } from '../validate/dates.js';
import { phoneReader, type PhoneReader } from '../validate/phone.js';
import { compileValidator, type Validated } from '../validate/validate.js';
import { resolveField } from './bodyFields.js';
import { compileValue, type CompiledValue, type ReadScope, type Scope, type ValueContext } from './compileValue.js';
import { defaultMapping, layoutColumns, typedList } from './defaultLayout.js';
import { isGrouped } from './group.js';
import { compileList } from './lists.js';
import { loadLookups } from './lookup.js';
import type { ListEntrySpec, MappingSpec } from './mappingSchema.js';
import { refuse, withSource, type MappingOutput } from './output.js';
import { compileSetter, type PathWriter } from './path.js';
import { mappingPlace, type MappingPlace } from './place.js';
import { Refusal } from './refusal.js';
import { commandLine } from '../report/commandLine.js';

export interface Mapped {
  ok: true;
  candidate: Record<string, unknown>;
  /** Request field path -> the source column or path it came from, for error messages. */
  sources: Record<string, string>;
}

/** A refused record keeps what could be mapped (its external_id, say), so the log can still name it. */
export type MapResult = Mapped | { ok: false; problems: Problem[]; candidate?: Record<string, unknown> };

export interface Mapper {
  /** The resource whose bodies the mapping makes. */
  endpoint: EndpointDescription;
  /** How rows become records: undefined for one row = one record; else rows sharing the key form one record. */
  group?: { by: string };
  /** Likely mistakes that do not stop a run (unread columns, a pattern alternative or expression name matching nothing). */
  warnings: string[];
  /** The mapping has `{ step }` lookups: its records hold StepKeys (src/map/stepKey.ts) for the plan to resolve. */
  stepKeys: boolean;
  map(record: SourceRecord): Promise<MapResult>;
  /** The wire body a mapped record becomes, or its problems, each naming the source its field came from. */
  validate(mapped: Mapped): Validated;
}

export interface CompileContext {
  endpoint: EndpointDescription;
  format: 'csv' | 'jsonl';
  /** The CSV header: names are checked against it. */
  header?: string[];
  /** Where relative lookup files are found: the mapping file's folder. */
  baseDir: string;
  /** The input's name, for messages (export.csv). */
  source?: string;
  /** The input's path as given, for the command a message suggests. */
  file?: string;
  /** The mapping file's path as given: configuration errors and warnings name it. */
  mappingFile?: string;
  /** Inside a plan: `{ step }` lookups leave StepKeys for the plan to resolve (elsewhere they are refused). */
  steps?: boolean;
  /** The program as the user runs it (report/commandLine.ts programName): the command a message suggests starts with it. */
  program: string;
}

const noRows: ReadonlyArray<Record<string, unknown>> = Object.freeze([]);

export async function compileMapping(spec: MappingSpec | undefined, context: CompileContext): Promise<Mapper> {
  const { endpoint, header } = context;
  const zone = spec?.input?.timezone;
  const dateFormats = dateFormatList(spec?.input?.date_format);
  const validator = compileValidator(endpoint, { zone, dateFormats, phones: await phonesOf(endpoint, spec, context) });
  const validate = (mapped: Mapped): Validated => {
    const validated = validator(mapped.candidate);
    if (validated.ok) return validated;
    return {
      ok: false,
      problems: validated.problems.map((problem) => ({ ...problem, reason: withSource(problem.reason, mapped.sources[problem.field]) })),
    };
  };
  if (spec === undefined && context.format === 'jsonl') {
    // JSONL records already are request bodies.
    return { endpoint, warnings: [], stepKeys: false, validate, map: async (record) => ({ ok: true, candidate: record.fields, sources: {} }) };
  }
  const source = context.source ?? 'the input';
  const mapping = spec ?? defaultMapping(header ?? [], endpoint);
  if (mapping === undefined) {
    const file = context.file ?? source;
    throw new ConfigError(
      `${source} has none of the columns of the default layout for ${endpoint.resource} (${layoutColumns(endpoint).join(', ')}): ` +
        `run \`${commandLine(context.program, ['init', file, '--resource', endpoint.resource])}\` to draft a mapping, then pass it with --mapping`,
    );
  }
  const place = mappingPlace(context.mappingFile);
  const warnings: string[] = [];
  const columnsRead = new Set<string>();
  let readsEverything = false;
  const columns: ReadScope = header
    ? {
        check: (path, at) => {
          if (header.includes(path)) return;
          const near = nearest(path, header);
          throw place.error(at, `no column '${path}' in ${source}${near === undefined ? '' : `; did you mean '${near}'?`} (columns: ${header.join(', ')})`);
        },
        names: header,
        namesAre: `a column of ${source}`,
        read: (name) => columnsRead.add(name),
        readAll: () => (readsEverything = true),
      }
    : {};
  if (mapping.group) {
    columns.check?.(mapping.group.by, 'group.by');
    columns.read?.(mapping.group.by);
  }

  const lookups = await loadLookups(mapping.lookups, context.baseDir, context.steps);
  const valueContext: ValueContext = {
    format: context.format,
    lookups,
    place,
    scope: columns,
    record: columns,
    warn: (message) => warnings.push(message),
    zone,
    functions: { date: dateFunction(zone, dateFormats) },
  };
  const fields = compileFields(mapping.fields ?? {}, endpoint, valueContext);
  const lists = listSpecs(mapping, endpoint, place).map(([path, specs, at]) => {
    const resolved = resolveField(endpoint.fields, path, article(endpoint.title));
    if (!resolved.ok) throw place.error(at, resolved.reason);
    return compileList(path, resolved.field, specs, at, { ...valueContext, header, source });
  });
  if (header && !readsEverything) {
    const unread = header.filter((column) => column !== '' && !columnsRead.has(column));
    if (unread.length > 0) warnings.push(`${source}: no value of the mapping reads the column${unread.length > 1 ? 's' : ''} ${unread.join(', ')}`);
  }
  // $rows and `each: rows` need the rows' fields; otherwise spare every record the array.
  const usesRows = fields.some((field) => field.value.async) || lists.some((list) => list.async || list.usesRows);

  const map = async (record: SourceRecord): Promise<MapResult> => {
    const rows = isGrouped(record) ? record.rows : [record];
    // A cell the reader could not read as meant matters only in a column the mapping reads.
    const damaged = rows.flatMap((row) => row.damaged ?? []).filter(({ column }) => readsEverything || columnsRead.has(column));
    if (damaged.length > 0) return { ok: false, problems: damaged.map(({ column, reason }) => ({ field: `column ${column}`, reason })) };
    const scope: Scope = { data: record.fields, record: record.fields, rows: usesRows ? rows.map((row) => row.fields) : noRows };
    const output: MappingOutput = { candidate: {}, sources: {}, problems: [] };
    for (const { name, value, write } of fields) {
      const result = value.settle(value.async ? await value.read(scope) : value.read(scope));
      if (result === undefined) continue;
      if (result instanceof Refusal) {
        refuse(output, name, result, value.describe(scope));
        continue;
      }
      write(output.candidate, result);
      const from = value.describe(scope);
      if (from !== undefined) output.sources[name] = from;
    }
    for (const list of lists) await list.fill({ scope, rows }, output);
    return output.problems.length > 0
      ? { ok: false, problems: output.problems, candidate: output.candidate }
      : { ok: true, candidate: output.candidate, sources: output.sources };
  };
  const stepKeys = [...lookups.values()].some((lookup) => 'step' in lookup);
  return { endpoint, group: mapping.group, warnings, stepKeys, map, validate };
}

interface CompiledField {
  /** The body path (basic_info.name), as problems name it. */
  name: string;
  value: CompiledValue;
  write: PathWriter;
}

function compileFields(specs: NonNullable<MappingSpec['fields']>, endpoint: EndpointDescription, context: ValueContext): CompiledField[] {
  return Object.entries(specs).map(([name, spec]) => {
    const at = `fields.${name}`;
    const resolved = resolveField(endpoint.fields, name, article(endpoint.title));
    if (!resolved.ok) throw context.place.error(at, resolved.reason);
    const { kind } = resolved.field.type;
    return { name, value: compileValue(spec, at, context, kind === 'string' || kind === 'strings' || kind === 'phone' ? 'text' : 'any'), write: compileSetter(name) };
  });
}

/** The phone reader of the mapping's region, when the endpoint has a phone field (only then is the library loaded). */
async function phonesOf(endpoint: EndpointDescription, spec: MappingSpec | undefined, context: CompileContext): Promise<PhoneReader | undefined> {
  if (!hasPhone(endpoint.fields)) return undefined;
  try {
    return await phoneReader(spec?.input?.phone_region);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw mappingPlace(context.mappingFile).error('input.phone_region', error.message);
  }
}

function hasPhone(fields: Fields): boolean {
  return Object.values(fields).some(({ type }) => type.kind === 'phone' || (type.kind === 'object' && hasPhone(type.fields)) || (type.kind === 'list' && hasPhone(type.of)));
}

/** The mapping's lists as [body path, entries, place in the mapping]; `dimensions` names the list with typed answers. */
function listSpecs(mapping: MappingSpec, endpoint: EndpointDescription, place: MappingPlace): Array<[string, ListEntrySpec[], string]> {
  const specs = Object.entries(mapping.lists ?? {}).map(([path, entries]): [string, ListEntrySpec[], string] => [path, entries, `lists.${path}`]);
  if (mapping.dimensions === undefined) return specs;
  const typed = typedList(endpoint);
  if (typed === undefined) throw place.error('dimensions', `${endpoint.resource} has no single list with typed answers: name the list under lists`);
  const { path } = typed;
  if (mapping.lists?.[path] !== undefined) throw place.error('dimensions', `is lists.${path} too: give its entries in one place`);
  return [[path, mapping.dimensions, 'dimensions'], ...specs];
}

function dateFormatList(formats: string | readonly string[] | undefined): readonly string[] {
  return formats === undefined ? [] : typeof formats === 'string' ? [formats] : formats;
}

/**
 * `$date(value, format?)` in expressions: the tool's own date reading (the one date fields use, input.date_format and
 * input.timezone included), or the format given, as epoch milliseconds. Absent for an empty value; a text that is no
 * date fails the expression, so the record is refused with the reason rather than sent without its date.
 */
function dateFunction(zone: string | undefined, declared: readonly string[]): (value: unknown, format?: string) => number | undefined {
  const read = dateReader(zone, declared);
  const readers = new Map<string, (text: string) => number | undefined>();
  return (value, format) => {
    if (value === undefined || value === null || value === '') return undefined;
    if (format !== undefined) {
      const translated = luxonDateFormat(format);
      if (!translated.ok) throw new Error(`$date: the format '${format}' ${translated.reason}`);
      if (!readers.has(format)) readers.set(format, declaredDateReader([format], zone));
    }
    const ms = format === undefined ? read(value) : readers.get(format)!(String(value));
    if (ms === undefined) throw new Error(`$date: '${String(value)}' is not a date (${format ?? dateFormatsTried(declared)})`);
    return ms;
  };
}

function article(title: string): string {
  return `${/^[aeiou]/i.test(title) ? 'an' : 'a'} ${title}`;
}
