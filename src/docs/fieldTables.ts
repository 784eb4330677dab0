/**
 * The README's list of every field of every resource, made from the endpoint descriptions alone: one table per
 * resource (field by dotted path, type, required, allowed values, what it is). `npm run docs:fields` writes it
 * between the README's markers; a test holds the README equal to it, so the list cannot drift from the code.
 */
import type { EndpointDescription, Field, FieldType, Fields } from '../endpoints/types.js';

export const fieldsStart = '<!-- fields:start (npm run docs:fields writes this list from src/endpoints) -->';
export const fieldsEnd = '<!-- fields:end -->';

/** The markdown between the markers: a heading and a table per resource. */
export function fieldTables(endpoints: readonly EndpointDescription[]): string {
  return endpoints
    .map((endpoint) => {
      const rows = rowsOf(endpoint.fields, '').map(({ path, field }) => `| \`${path}\` | ${typeName(field.type)} | ${field.required ? 'yes' : ''} | ${allowed(field)} | ${cell(field.description)} |`);
      return [`#### ${endpoint.resource} (${endpoint.title})`, '', '| field | type | required | allowed values | what it is |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
    })
    .join('\n\n');
}

/** `readme` with the list between its markers replaced by the one the descriptions make. */
export function withFieldTables(readme: string, endpoints: readonly EndpointDescription[]): string {
  const start = readme.indexOf(fieldsStart);
  const end = readme.indexOf(fieldsEnd);
  if (start < 0 || end < start) throw new Error(`README.md has no ${fieldsStart} ... ${fieldsEnd} markers`);
  return `${readme.slice(0, start + fieldsStart.length)}\n\n${fieldTables(endpoints)}\n\n${readme.slice(end)}`;
}

/** Every field by dotted path, an object's fields after it, a list's element fields as `list[].field`. */
function rowsOf(fields: Fields, prefix: string): Array<{ path: string; field: Field }> {
  return Object.entries(fields).flatMap(([name, field]) => {
    const path = `${prefix}${name}`;
    const own = { path, field };
    if (field.type.kind === 'object') return [own, ...rowsOf(field.type.fields, `${path}.`)];
    if (field.type.kind === 'list') return [own, ...rowsOf(field.type.of, `${path}[].`)];
    return [own];
  });
}

function typeName(type: FieldType): string {
  switch (type.kind) {
    case 'string':
      return type.format === 'email' ? 'text (an email address)' : 'text';
    case 'int':
      return 'integer';
    case 'ms':
      return 'date (epoch ms, integer)';
    case 'msString':
      return 'date (epoch ms, as text)';
    case 'strings':
      return 'list of text';
    case 'object':
      return 'object';
    case 'list':
      return 'list of objects';
    case 'phone':
      return 'phone number';
  }
}

function allowed(field: Field): string {
  const { type } = field;
  if (field.localOnly) return 'not sent: keys the result log';
  if (type.kind === 'int' && type.labels) {
    return Object.entries(type.labels).map(([value, labels]) => `${value} (${labels.map((label) => `\`${label}\``).join(', ')})`).join(', ');
  }
  if (type.kind === 'int' && (type.min !== undefined || type.max !== undefined)) return `${type.min ?? ''}..${type.max ?? ''}`;
  if (type.kind === 'strings' && type.maxItems !== undefined) return `at most ${type.maxItems}`;
  return '';
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}
