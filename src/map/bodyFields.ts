/**
 * A description's body fields as a mapping names them: dotted paths through nested objects (`basic_info.name`),
 * resolved once when a mapping is compiled, with a did-you-mean for a key that names no field.
 */
import type { AnswerRule, Field, Fields } from '../endpoints/types.js';
import { suggestion } from '../validate/suggest.js';

export type Resolved = { ok: true; field: Field } | { ok: false; reason: string };

/**
 * The field at a dotted path; `what` names the fields for messages ("an external interview assessment"), `also`
 * other keys valid in the same place (suggested too).
 */
export function resolveField(fields: Fields, path: string, what: string, also: readonly string[] = []): Resolved {
  const segments = path.split('.');
  let current = fields;
  for (let index = 0; index < segments.length; index++) {
    const field = current[segments[index]!];
    const walked = segments.slice(0, index + 1).join('.');
    if (field === undefined) return { ok: false, reason: `not a field of ${what}${suggestion(path, [...fieldPaths(fields), ...also], also.length > 0 ? 'keys' : 'fields')}` };
    if (index === segments.length - 1) return { ok: true, field };
    if (field.type.kind === 'list') return { ok: false, reason: `${walked} is a list: map its elements under lists.${walked}` };
    if (field.type.kind !== 'object') return { ok: false, reason: `${walked} has no fields inside` };
    current = field.type.fields;
  }
  return { ok: false, reason: `not a field of ${what}` };
}

/** Every field's dotted path, objects and lists included, in description order. */
export function fieldPaths(fields: Fields, prefix = ''): string[] {
  return Object.entries(fields).flatMap(([name, field]) => [
    `${prefix}${name}`,
    ...(field.type.kind === 'object' ? fieldPaths(field.type.fields, `${prefix}${name}.`) : []),
  ]);
}

/** The fields a column can fill: every path whose value is text, a number, a date or a list of text. */
export function leafPaths(fields: Fields, prefix = ''): Array<{ path: string; field: Field }> {
  return Object.entries(fields).flatMap(([name, field]) => {
    const path = `${prefix}${name}`;
    if (field.type.kind === 'object') return leafPaths(field.type.fields, `${path}.`);
    return field.type.kind === 'list' ? [] : [{ path, field }];
  });
}

export interface AnswerList {
  path: string;
  of: Fields;
  answer: AnswerRule;
}

/** The lists whose elements carry a typed answer (assessment_dimension_list), with their paths. */
export function answerLists(fields: Fields, prefix = ''): AnswerList[] {
  return Object.entries(fields).flatMap(([name, field]): AnswerList[] => {
    const path = `${prefix}${name}`;
    if (field.type.kind === 'object') return answerLists(field.type.fields, `${path}.`);
    if (field.type.kind === 'list' && field.type.answer) return [{ path, of: field.type.of, answer: field.type.answer }];
    return [];
  });
}
