/**
 * The CSV layout that needs no mapping file (issue 2), written as a mapping generated from the header, so one engine
 * maps every input: external_id, external_interview_id, username, conclusion, content, and per dimension N the
 * columns dimN_type, dimN_title, dimN_description, dimN_score, dimN_option, dimN_options (|-separated), dimN_content.
 */
import type { DimensionSpec, FieldName, MappingSpec } from './mappingSchema.js';

const fieldNames: readonly FieldName[] = ['external_id', 'external_interview_id', 'username', 'conclusion', 'content'];
const dimensionColumn = /^dim(\d+)_(type|title|description|score|option|options|content)$/;

export function defaultMapping(header: readonly string[]): MappingSpec {
  const columns = new Set(header);
  const fields = Object.fromEntries(fieldNames.filter((name) => columns.has(name)).map((name) => [name, name]));
  return { fields, dimensions: defaultDimensions(header) };
}

/** One entry per dimension number found, in numeric order; labels are left for validation to normalise. */
export function defaultDimensions(header: readonly string[]): DimensionSpec[] {
  const byNumber = new Map<number, DimensionSpec>();
  for (const column of header) {
    const match = dimensionColumn.exec(column);
    if (!match) continue;
    const n = Number(match[1]);
    const part = match[2] as 'type' | 'title' | 'description' | 'score' | 'option' | 'options' | 'content';
    const dimension = byNumber.get(n) ?? { omitWhen: 'empty' };
    dimension[part] = part === 'options' ? { from: column, split: '|' } : { from: column };
    byNumber.set(n, dimension);
  }
  return [...byNumber.entries()].sort(([a], [b]) => a - b).map(([, dimension]) => dimension);
}
