/**
 * A starting mapping guessed from a sample of the input: obvious columns go to their request fields, dimN_* groups
 * and arrays of rated items to dimensions, and every other column is listed as a commented hint. The user edits it;
 * it only has to be a good first draft that loads and compiles.
 */
import { stringify } from 'yaml';
import { assessmentSchema, dimensionSchema } from './assessment.js';
import { defaultDimensions } from './defaultLayout.js';
import type { DimensionSpec, FieldName, ValueSpec } from './mappingSchema.js';
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
  /** Where the JSON Schema is, relative to the mapping: for editor completion. */
  schemaRef?: string;
  /** The command that previews the mapping, suggested in the header comment. */
  previewCommand?: string;
}

export interface Draft {
  text: string;
  fields: number;
  dimensions: number;
}

/** Names (lowercase, without spaces, _ - .) that suggest a request field, most telling first. */
const fieldGuesses: Record<FieldName, string[]> = {
  external_id: ['externalid', '面评编号', '面评id', 'assessmentid', 'feedbackid', 'scorecardid', 'id', '编号'],
  external_interview_id: ['externalinterviewid', 'interviewid', '面试编号', '面试id'],
  username: ['username', 'interviewer', 'interviewername', '面试官', '评估人', 'reviewer'],
  conclusion: ['conclusion', '面试结论', '结论', 'recommendation', 'overallrecommendation', 'verdict', 'result', 'decision'],
  content: ['content', '综合评价', '评语', 'notes', 'note', 'comments', 'comment', 'summary', 'feedback'],
};

/** Legacy verdicts whose meaning is plain; anything else is left for the user. */
const conclusionGuesses: Record<string, number> = {
  strongyes: 2, yes: 2, hire: 2, stronghire: 2, pass: 2, 通过: 2,
  no: 1, definitelynot: 1, nohire: 1, strongnohire: 1, fail: 1, reject: 1, 不通过: 1,
  nodecision: 3, maybe: 3, hold: 3, pending: 3, 待定: 3,
};

/** ATS field types (Lever, Greenhouse) and the dimension type each becomes. */
const typeGuesses: Record<string, number> = {
  score: 1, rating: 1, scale: 1,
  multiplechoice: 2, dropdown: 2, single: 2, choice: 2, radio: 2,
  text: 3, textarea: 3, comment: 3, paragraph: 3,
  multipleselect: 4, checkboxes: 4, checkbox: 4, multi: 4,
};

const itemTitleKeys = ['name', 'title', 'question', 'label', 'dimension', 'text'];
const itemAnswerKeys = ['answer', 'rating', 'score', 'value', 'response'];
const itemTypeKeys = ['type', 'kind', 'fieldtype'];

export function draftMapping(sample: Sample): Draft {
  const columns = (sample.format === 'csv' ? [...(sample.header ?? [])] : leafPaths(sample.records[0] ?? {})).filter((column) => column !== '');
  const used = new Set<string>();
  /** Values the draft could not translate: they stay for the user to map. */
  const unguessed: string[] = [];
  const fields: Array<[FieldName, ValueSpec]> = [];
  for (const name of Object.keys(fieldGuesses) as FieldName[]) {
    const column = guessColumn(columns, fieldGuesses[name], used);
    if (column === undefined) continue;
    used.add(column);
    fields.push([name, name === 'conclusion' ? conclusionSpec(column, sample.records, unguessed) : column]);
  }
  const dimensions = sample.format === 'csv' ? defaultDimensions(columns) : arrayDimensions(columns, sample.records, unguessed);
  for (const dimension of dimensions) {
    for (const spec of Object.values(dimension)) if (typeof spec === 'object' && 'from' in spec && spec.from) used.add(spec.from);
    if (dimension.each && typeof dimension.each === 'object' && 'from' in dimension.each) used.add(dimension.each.from);
  }
  const rest = columns.filter((column) => !used.has(column));

  const lines: string[] = [];
  if (sample.schemaRef) lines.push(`# yaml-language-server: $schema=${sample.schemaRef}`);
  lines.push(`# A starting mapping for ${sample.name}, written by \`hire-import init\`: check every line.`);
  if (sample.previewCommand) lines.push(`# Then see the bodies it makes:  ${sample.previewCommand}`);
  const input = { format: sample.format, ...sample.input };
  lines.push(`input: ${flow(input)}`, 'fields:');
  for (const [name, spec] of fields) lines.push(`  ${name}: ${flow(spec)}`);
  if (!fields.some(([name]) => name === 'external_interview_id')) {
    lines.push('  # external_interview_id is required: the Feishu id of the external interview, e.g.', '  #   { from: <column>, lookup: <a table under lookups> }');
  }
  if (dimensions.length > 0) {
    lines.push('dimensions:');
    for (const dimension of dimensions) lines.push(...block(dimension));
  }
  // Whole-number columns of a spreadsheet are likely scores: offer each as a dimension, one uncomment away.
  const values = new Map(rest.map((column) => [column, sampleValues(column, sample.records)]));
  const scores = sample.format === 'csv' ? rest.filter((column) => mostlyWholeNumbers(values.get(column)!)) : [];
  const others = rest.filter((column) => !scores.includes(column));
  if (scores.length > 0) {
    lines.push('', '# These columns hold whole numbers: uncomment the ones that are scores.');
    if (dimensions.length === 0) lines.push('# dimensions:');
    for (const column of scores) lines.push(`#   - ${flow({ type: 'score', title: { value: column }, answer: column })}   # ${examples(values.get(column)!)}`);
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

function normalise(name: string): string {
  return name.toLowerCase().replace(/[\s_\-.]/g, '');
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

/** Labels validation knows stay as they are; other verdicts get a map of the ones whose meaning is plain. */
function conclusionSpec(column: string, records: ReadonlyArray<Record<string, unknown>>, unguessed: string[]): ValueSpec {
  const values = sampleValues(column, records);
  if (values.every((value) => assessmentSchema.shape.conclusion.safeParse(value).success)) return column;
  const map = guessedMap(values, conclusionGuesses, unguessed, `fields.conclusion (1 fail, 2 pass, 3 pending)`);
  return { from: column, map };
}

function guessedMap(values: Iterable<string>, guesses: Record<string, number>, unguessed: string[], where: string): Record<string, number> {
  const map: Record<string, number> = {};
  for (const value of values) {
    const guess = guesses[normalise(value)];
    if (guess === undefined) unguessed.push(`${JSON.stringify(value)} in ${where}`);
    else map[value] = guess;
  }
  return map;
}

/** JSON records: an array of items with a title and an answer becomes one dimension per item. */
function arrayDimensions(paths: readonly string[], records: ReadonlyArray<Record<string, unknown>>, unguessed: string[]): DimensionSpec[] {
  const dimensions: DimensionSpec[] = [];
  for (const path of paths) {
    const read = compilePath(path);
    if (!Array.isArray(read(records[0]))) continue;
    // Items of every sampled record, so the type map covers the types the first record lacks.
    const items = records.flatMap((record) => read(record)).filter((item) => item !== undefined);
    const objects = items.filter((item): item is Record<string, unknown> => typeof item === 'object' && item !== null && !Array.isArray(item));
    const keys = [...new Set(objects.flatMap((item) => Object.keys(item)))];
    const title = keys.find((key) => itemTitleKeys.includes(normalise(key)));
    const answer = keys.find((key) => itemAnswerKeys.includes(normalise(key)));
    if (title === undefined || answer === undefined) continue;
    const typeKey = keys.find((key) => itemTypeKeys.includes(normalise(key)));
    const at = `dimensions[${dimensions.length}].type (1 score, 2 single, 3 text, 4 multi)`;
    dimensions.push({ each: { from: path }, type: itemType(objects, typeKey, answer, unguessed, at), title, answer });
  }
  return dimensions;
}

function itemType(
  items: ReadonlyArray<Record<string, unknown>>,
  typeKey: string | undefined,
  answer: string,
  unguessed: string[],
  at: string,
): NonNullable<DimensionSpec['type']> {
  if (typeKey === undefined) return items.every((item) => typeof item[answer] === 'number' || item[answer] == null) ? 'score' : 'text';
  const types = new Set(items.map((item) => item[typeKey]).filter((type): type is string => typeof type === 'string'));
  return { from: typeKey, map: guessedMap(types, typeGuesses, unguessed, at) };
}

/** Dotted paths to every value of a JSON record; arrays are leaves (candidates for `each`). */
function leafPaths(record: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(record).flatMap(([key, value]) =>
    typeof value === 'object' && value !== null && !Array.isArray(value) ? leafPaths(value as Record<string, unknown>, `${prefix}${key}.`) : [`${prefix}${key}`],
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

/** Most sample values are whole numbers (a stray "优秀" is a data error, not a reason to give up the guess). */
function mostlyWholeNumbers(values: readonly string[]): boolean {
  const whole = values.filter((value) => dimensionSchema.shape.score.safeParse(value).success).length;
  return whole > 0 && whole >= values.length * 0.75;
}

/** A dimension as a YAML list item, one key per line. */
function block(dimension: DimensionSpec): string[] {
  return Object.entries(dimension).map(([key, value], index) => `${index === 0 ? '  - ' : '    '}${key}: ${flow(value)}`);
}

/** A value as one line of flow-style YAML. */
function flow(value: unknown): string {
  return stringify(value, { collectionStyle: 'flow', lineWidth: 0 }).trim();
}
