/**
 * A starting mapping for one resource, guessed from a sample of the input: columns named like a body field (or like
 * one of its hints in the endpoint description) go to that field, dimN_* groups and arrays of rated items to the
 * list with typed answers, and every other column is listed as a commented hint. The user edits it; it only has to
 * be a good first draft that loads and compiles.
 */
import { stringify } from 'yaml';
import type { EndpointDescription, Field } from '../endpoints/types.js';
import { intReader, latinListing, type IntType } from '../validate/integers.js';
import { leafPaths, type AnswerList } from './bodyFields.js';
import { layoutEntries, typedList } from './defaultLayout.js';
import type { ListEntrySpec, ValueSpec } from './mappingSchema.js';
import type { TimezoneGuess } from './initTimezone.js';
import { compilePath } from './path.js';

export interface Sample {
  format: 'csv' | 'jsonl';
  /** The input's file name, for the comments. */
  name: string;
  /** CSV: the header. JSONL: ignored (paths come from the first record). */
  header?: readonly string[];
  /** The first records, for sample values. */
  records: ReadonlyArray<Record<string, unknown>>;
  /** Reading options worth writing down (a non-UTF-8 encoding, an unusual delimiter). */
  input?: { encoding?: string; delimiter?: string };
  /** The zone of dates written without an offset, and why (written beside it: a wrong zone moves dates by hours). */
  timezone?: TimezoneGuess;
  /** Where the JSON Schema is, relative to the mapping: for editor completion. */
  schemaRef?: string;
  /** The command that previews the mapping, suggested in the header comment. */
  previewCommand?: string;
}

export interface Draft {
  text: string;
  fields: number;
  /** Entries drafted for the list with typed answers (`dimensions`). */
  dimensions: number;
}

/** Keys of a JSON item that hold its answer (a legacy export's words, not the API's). */
const itemAnswerKeys = ['answer', 'rating', 'score', 'value', 'response'];
/**
 * The type of an item or column whose answer is a whole number, and of one whose answer is text, as the words that
 * name them among the type's labels: what a draft writes when the export does not say.
 */
const numberType = 'score';
const textType = 'text';

/** The columns of a sample, as a draft maps them: a CSV's header, or the dotted paths of the first JSON record. */
export function sampleColumns(sample: Pick<Sample, 'format' | 'header' | 'records'>): string[] {
  return (sample.format === 'csv' ? [...(sample.header ?? [])] : recordPaths(sample.records[0] ?? {})).filter((column) => column !== '');
}

export function draftMapping(sample: Sample, endpoint: EndpointDescription): Draft {
  const columns = sampleColumns(sample);
  const used = new Set<string>();
  /** Values the draft could not translate: they stay for the user to map. */
  const unguessed: string[] = [];
  const fields: Array<[string, ValueSpec]> = [];
  const missing: string[] = [];
  for (const { path, field } of leafPaths(endpoint.fields)) {
    const column = guessColumn(columns, columnGuesses(path, field), used);
    if (column === undefined) {
      if (field.required) missing.push(path);
      continue;
    }
    used.add(column);
    fields.push([path, fieldSpec(column, field, sample.records, unguessed, `fields.${path}`)]);
  }
  const typed = typedList(endpoint);
  const dimensions = typed === undefined ? [] : sample.format === 'csv' ? layoutEntries(columns, typed) : arrayEntries(columns, typed, sample.records, unguessed);
  for (const dimension of dimensions) {
    for (const spec of Object.values(dimension)) if (typeof spec === 'object' && 'from' in spec && spec.from) used.add(spec.from);
  }
  const rest = columns.filter((column) => !used.has(column));

  const lines: string[] = [];
  if (sample.schemaRef) lines.push(`# yaml-language-server: $schema=${sample.schemaRef}`);
  lines.push(`# A starting mapping of ${sample.name} to ${endpoint.resource}, written by \`hire-import init\`: check every line.`);
  if (sample.previewCommand) lines.push(`# Then see the bodies it makes:  ${sample.previewCommand}`);
  const input = { format: sample.format, ...sample.input, ...(sample.timezone ? { timezone: sample.timezone.zone } : {}) };
  lines.push(`input: ${flow(input)}${sample.timezone ? ` # timezone: ${sample.timezone.why}` : ''}`, 'fields:');
  for (const [name, spec] of fields) lines.push(`  ${name}: ${flow(spec)}`);
  for (const path of missing) lines.push(...requiredHint(path, endpoint));
  if (dimensions.length > 0) {
    lines.push('dimensions:');
    for (const dimension of dimensions) lines.push(...block(dimension));
  }
  // Whole-number columns of a spreadsheet are likely scores: offer each as an element, one uncomment away.
  const values = new Map(rest.map((column) => [column, sampleValues(column, sample.records)]));
  const scoreEntry = typed === undefined || sample.format !== 'csv' ? undefined : numberEntry(typed);
  const scores = scoreEntry ? rest.filter((column) => mostlyWholeNumbers(values.get(column)!)) : [];
  const others = rest.filter((column) => !scores.includes(column));
  if (scoreEntry && scores.length > 0) {
    lines.push('', `# These columns hold whole numbers: uncomment the ones that are ${numberType}s.`);
    if (dimensions.length === 0) lines.push('# dimensions:');
    for (const column of scores) lines.push(`#   - ${flow(scoreEntry(column))}   # ${examples(values.get(column)!)}`);
  }
  if (others.length > 0) {
    lines.push('', '# Not mapped yet:');
    for (const column of others) lines.push(`#   ${column}: ${examples(values.get(column)!)}`);
  }
  if (unguessed.length > 0) {
    lines.push('', '# Values to add to a map above (until then, records holding them are invalid):', ...unguessed.map((note) => `#   ${note}`));
  }
  return { text: `${lines.join('\n')}\n`, fields: fields.length, dimensions: dimensions.length };
}

export function normalise(name: string): string {
  return name.toLowerCase().replace(/[\s_\-.]/g, '');
}

/** Names suggesting a field, most telling first: its path, its own name when nested, then its hints. */
export function columnGuesses(path: string, field: Field): string[] {
  const own = path.split('.').at(-1)!;
  return [...new Set([path, own, ...(field.hints ?? [])].map(normalise))];
}

/** The first column named like a guess, best guess first; a nested path also counts by its last part. */
function guessColumn(columns: readonly string[], guesses: readonly string[], used: ReadonlySet<string>): string | undefined {
  const free = columns.filter((column) => !used.has(column));
  for (const guess of guesses) {
    const whole = free.find((column) => normalise(column) === guess);
    if (whole !== undefined) return whole;
  }
  for (const guess of guesses) {
    const last = free.find((column) => normalise(column.split('.').at(-1)!) === guess);
    if (last !== undefined) return last;
  }
  return undefined;
}

/** The key of a JSON item named like one of a field's guesses. */
function guessKey(keys: readonly string[], guesses: readonly string[]): string | undefined {
  return guesses.map((guess) => keys.find((key) => normalise(key) === guess)).find((key) => key !== undefined);
}

/**
 * An enum's column stays as it is when validation knows every sampled value; otherwise it gets a map of the values
 * whose meaning is plain (labels and the description's label hints), and the others are listed for the user.
 */
function fieldSpec(column: string, field: Field, records: ReadonlyArray<Record<string, unknown>>, unguessed: string[], at: string): ValueSpec {
  if (field.type.kind === 'strings') return { from: column, split: '|' };
  if (field.type.kind !== 'int' || field.type.labels === undefined) return column;
  const values = sampleValues(column, records);
  const reader = intReader(field.type);
  if (values.every((value) => reader.read(value) !== undefined)) return column;
  return { from: column, map: guessedMap(values, field, unguessed, at) };
}

function guessedMap(values: Iterable<string>, field: Field, unguessed: string[], at: string): Record<string, number> {
  const type = field.type as IntType;
  const guesses = new Map<string, number>();
  for (const labels of [type.labels ?? {}, field.labelHints ?? {}]) {
    for (const [number, words] of Object.entries(labels)) for (const word of words as readonly string[]) guesses.set(normalise(word), Number(number));
  }
  const map: Record<string, number> = {};
  for (const value of values) {
    const guess = guesses.get(normalise(value));
    if (guess === undefined) unguessed.push(`${JSON.stringify(value)} in ${at} (${latinListing(type.labels ?? {})})`);
    else map[value] = guess;
  }
  return map;
}

/** A required field the draft found no column for: say so, with a lookup example for the parent's id. */
function requiredHint(path: string, endpoint: EndpointDescription): string[] {
  const field = leafPaths(endpoint.fields).find((leaf) => leaf.path === path)!.field;
  if (endpoint.parent?.field !== path) return [`  # ${path} is required: ${field.description}`];
  return [`  # ${path} is required: ${field.description}, e.g.`, '  #   { from: <column>, lookup: <a table under lookups> }'];
}

/** The field of an element that names it (a dimension's title): its first text field that holds no answer. */
function titleField(typed: AnswerList): string | undefined {
  const answers = new Set(Object.values(typed.answer.fieldFor));
  return Object.entries(typed.of).find(([name, field]) => field.type.kind === 'string' && name !== typed.answer.by && !answers.has(name))?.[0];
}

/** An entry making one whole-number column an element of the typed list, or undefined when its types have no such word. */
function numberEntry(typed: AnswerList): ((column: string) => ListEntrySpec) | undefined {
  const title = titleField(typed);
  const byType = typed.of[typed.answer.by]?.type;
  if (title === undefined || byType?.kind !== 'int' || intReader(byType).read(numberType) === undefined) return undefined;
  return (column) => ({ type: numberType, [title]: { value: column }, answer: column });
}

/** JSON records: an array of items with a title and an answer becomes one element per item. */
function arrayEntries(paths: readonly string[], typed: AnswerList, records: ReadonlyArray<Record<string, unknown>>, unguessed: string[]): ListEntrySpec[] {
  const entries: ListEntrySpec[] = [];
  const title = titleField(typed);
  const by = typed.of[typed.answer.by];
  if (title === undefined || by === undefined) return entries;
  for (const path of paths) {
    const read = compilePath(path);
    if (!Array.isArray(read(records[0]))) continue;
    // Items of every sampled record, so the type map covers the types the first record lacks.
    const items = records.flatMap((record) => read(record)).filter((item) => item !== undefined);
    const objects = items.filter((item): item is Record<string, unknown> => typeof item === 'object' && item !== null && !Array.isArray(item));
    const keys = [...new Set(objects.flatMap((item) => Object.keys(item)))];
    const titleKey = guessKey(keys, columnGuesses(title, typed.of[title]!));
    const answer = guessKey(keys, itemAnswerKeys);
    if (titleKey === undefined || answer === undefined) continue;
    const typeKey = guessKey(keys, (by.hints ?? []).map(normalise));
    const at = `dimensions[${entries.length}].type`;
    const type = typeKey === undefined ? itemType(objects, answer) : { from: typeKey, map: guessedMap(itemTypes(objects, typeKey), by, unguessed, at) };
    entries.push({ each: { from: path }, type, [title]: titleKey, answer });
  }
  return entries;
}

/** Without a type key: whole numbers are scores, anything else text. */
function itemType(items: ReadonlyArray<Record<string, unknown>>, answer: string): string {
  return items.every((item) => typeof item[answer] === 'number' || item[answer] == null) ? numberType : textType;
}

function itemTypes(items: ReadonlyArray<Record<string, unknown>>, typeKey: string): Set<string> {
  return new Set(items.map((item) => item[typeKey]).filter((type): type is string => typeof type === 'string'));
}

/** Dotted paths to every value of a JSON record; arrays are leaves (candidates for `each`). */
function recordPaths(record: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(record).flatMap(([key, value]) =>
    typeof value === 'object' && value !== null && !Array.isArray(value) ? recordPaths(value as Record<string, unknown>, `${prefix}${key}.`) : [`${prefix}${key}`],
  );
}

/** Up to five distinct non-empty values, as text. */
function sampleValues(column: string, records: ReadonlyArray<Record<string, unknown>>): string[] {
  const read = compilePath(column);
  const values = new Set<string>();
  for (const record of records) {
    const value = read(record);
    if (value === undefined || value === null || value === '' || typeof value === 'object') continue;
    values.add(String(value));
    if (values.size === 5) break;
  }
  return [...values];
}

function examples(values: readonly string[]): string {
  return values.length ? `e.g. ${values.map((value) => JSON.stringify(value)).join(', ')}` : '(empty in the sample)';
}

const wholeNumber = intReader({ kind: 'int' });

/** Most sample values are whole numbers (a stray "优秀" is a data error, not a reason to give up the guess). */
function mostlyWholeNumbers(values: readonly string[]): boolean {
  const whole = values.filter((value) => wholeNumber.read(value) !== undefined).length;
  return whole > 0 && whole >= values.length * 0.75;
}

/** A list entry as a YAML list item, one key per line. */
function block(dimension: ListEntrySpec): string[] {
  return Object.entries(dimension).map(([key, value], index) => `${index === 0 ? '  - ' : '    '}${key}: ${flow(value)}`);
}

/** A value as one line of flow-style YAML. */
function flow(value: unknown): string {
  return stringify(value, { collectionStyle: 'flow', lineWidth: 0 }).trim();
}
