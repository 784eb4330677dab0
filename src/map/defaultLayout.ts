/**
 * The CSV layout that needs no mapping file (issue 2), written as a mapping generated from the header, so one engine
 * maps every input and every resource: a column named exactly like a body field path fills that field
 * (`external_id`, `basic_info.name`; a list of text is split on |), and in the list with typed answers (an
 * assessment's dimensions) element N comes from the columns dimN_type and dimN_<element field> (dim1_title,
 * dim1_score, dim1_options, ...). Labels are left for validation to normalise.
 */
import type { EndpointDescription, Field } from '../endpoints/types.js';
import { answerLists, leafPaths, type AnswerList } from './bodyFields.js';
import type { ListEntrySpec, MappingSpec, ValueSpec } from './mappingSchema.js';

const elementColumn = /^dim(\d+)_(.+)$/;

/** The layout's mapping for this header, or undefined when the header has none of its columns. */
export function defaultMapping(header: readonly string[], endpoint: EndpointDescription): MappingSpec | undefined {
  const columns = new Set(header);
  const fields = Object.fromEntries(leafPaths(endpoint.fields).filter(({ path }) => columns.has(path)).map(({ path, field }) => [path, fromColumn(path, field)]));
  const typed = typedList(endpoint);
  const dimensions = typed === undefined ? [] : layoutEntries(header, typed);
  if (Object.keys(fields).length === 0 && dimensions.length === 0) return undefined;
  return typed === undefined ? { fields } : { fields, dimensions };
}

/** The layout's column names, for a message: `external_id, ..., dimN_type, dimN_title, ...`. */
export function layoutColumns(endpoint: EndpointDescription): string[] {
  const typed = typedList(endpoint);
  return [...leafPaths(endpoint.fields).map(({ path }) => path), ...(typed ? ['type', ...elementFields(typed).keys()].map((part) => `dimN_${part}`) : [])];
}

/** One entry per element number found, in numeric order. */
export function layoutEntries(header: readonly string[], typed: AnswerList): ListEntrySpec[] {
  const parts = elementFields(typed);
  const byNumber = new Map<number, ListEntrySpec>();
  for (const column of header) {
    const match = elementColumn.exec(column);
    const part = match?.[2];
    if (part === undefined || (part !== 'type' && !parts.has(part))) continue;
    const n = Number(match![1]);
    const entry = byNumber.get(n) ?? { omitWhen: 'empty' };
    entry[part] = part !== 'type' && parts.get(part)!.type.kind === 'strings' ? { from: column, split: '|' } : { from: column };
    byNumber.set(n, entry);
  }
  return [...byNumber.entries()].sort(([a], [b]) => a - b).map(([, entry]) => entry);
}

/** The list the `dimensions` shorthand and the dimN_ columns fill, when the resource has exactly one. */
export function typedList(endpoint: EndpointDescription): AnswerList | undefined {
  const typed = answerLists(endpoint.fields);
  return typed.length === 1 ? typed[0] : undefined;
}

/** Element fields a dimN_ column may fill (the type's own field is `type`). */
function elementFields(typed: AnswerList): Map<string, Field> {
  return new Map(leafPaths(typed.of).filter(({ path }) => path !== typed.answer.by).map(({ path, field }) => [path, field]));
}

function fromColumn(column: string, field: Field): ValueSpec {
  return field.type.kind === 'strings' ? { from: column, split: '|' } : column;
}
