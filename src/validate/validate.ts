/**
 * Validation from an endpoint description: a mapped record becomes the exact wire body (labels and numeric strings
 * as the API's integers, numbers as text where it wants text, dates as epoch milliseconds, local-only fields moved
 * out), or a list of problems, each naming the field path and the value refused. The description is compiled into
 * closures once; checking a record is then plain property reads.
 */
import type { AnswerRule, EndpointDescription, Fields, FieldType } from '../endpoints/types.js';
import { MAX_FIELD_CHARACTERS } from '../limits.js';
import { dateFormatsTried, dateReader, type DateReader } from './dates.js';
import { diallingCodeAt, type PhoneReader } from './phone.js';
import { intReader } from './integers.js';
import { shown, type Problem } from './problem.js';
import { suggestion } from './suggest.js';

export type Validated =
  /** `local` holds the localOnly fields by path (a talent's legacy key): they key the log but are never sent. */
  | { ok: true; body: Record<string, unknown>; local: Record<string, unknown> }
  | { ok: false; problems: Problem[] };

export type Validator = (candidate: unknown) => Validated;

export interface ValidatorOptions {
  /** The IANA zone dates without an offset are read in; default: the machine's. */
  zone?: string;
  /** Formats dates are tried in before the common ones (a mapping's `input.date_format`: DD.MM.YYYY). */
  dateFormats?: readonly string[];
  /** Reads phone fields (phoneReader); required when the endpoint has one. */
  phones?: PhoneReader;
}

/** What a check returns for a value it refused (its problems are already recorded). */
const invalid = Symbol('invalid');

/** A field's value checked and normalised; problems go to `problems`, named from `path`. */
type Check = (value: unknown, path: string, problems: Problem[], local: Record<string, unknown>) => unknown;

interface Compiler {
  dates: DateReader;
  /** The formats a refused date was tried in, for its message. */
  datesTried: string;
  externalId: string;
  phones?: PhoneReader;
}

export function compileValidator(endpoint: EndpointDescription, options: ValidatorOptions = {}): Validator {
  const compiler: Compiler = {
    dates: dateReader(options.zone, options.dateFormats),
    datesTried: dateFormatsTried(options.dateFormats),
    externalId: endpoint.externalId,
    phones: options.phones,
  };
  const record = objectCheck(endpoint.fields, compiler, '');
  return (candidate) => {
    const problems: Problem[] = [];
    const local: Record<string, unknown> = {};
    const body = record(candidate, '', problems, local);
    return problems.length > 0 || body === invalid ? { ok: false, problems } : { ok: true, body: body as Record<string, unknown>, local };
  };
}

interface Member {
  name: string;
  required: boolean;
  localOnly: boolean;
  /** The field that keys the log: an empty value is refused rather than sent. */
  key: boolean;
  check: Check;
}

/** `prefix` is the object's place among the description's fields (basic_info.), to recognise the log key. */
function objectCheck(fields: Fields, compiler: Compiler, prefix: string, answer?: AnswerRule): Check {
  const members: Member[] = Object.entries(fields).map(([name, field]) => ({
    name,
    required: field.required === true,
    localOnly: field.localOnly === true,
    key: `${prefix}${name}` === compiler.externalId,
    check: typeCheck(field.type, compiler, `${prefix}${name}.`),
  }));
  const names = Object.keys(fields);
  const known = new Set(names);
  return (value, path, problems, local) => {
    if (!isPlainObject(value)) {
      problems.push({ field: path || '(record)', reason: `${shown(value)} is not an object` });
      return invalid;
    }
    const before = problems.length;
    for (const key in value) {
      if (!known.has(key)) problems.push({ field: join(path, key), reason: `unknown field${suggestion(key, names, 'fields')}` });
    }
    const body: Record<string, unknown> = {};
    for (const member of members) {
      const raw = value[member.name];
      const at = join(path, member.name);
      if (raw === undefined || raw === null || (raw === '' && (member.required || member.key))) {
        if (member.required) problems.push({ field: at, reason: 'is required' });
        else if (raw === '') problems.push({ field: at, reason: 'must not be empty: it keys the result log' });
        continue;
      }
      const checked = member.check(raw, at, problems, local);
      if (checked === invalid) continue;
      if (member.localOnly) local[at] = checked;
      else body[member.name] = checked;
    }
    if (answer !== undefined && problems.length === before) requireAnswer(body, answer, path, problems);
    return problems.length > before ? invalid : body;
  };
}

/** An element whose type says where its answer goes must hold that answer. */
function requireAnswer(element: Record<string, unknown>, answer: AnswerRule, path: string, problems: Problem[]): void {
  const type = element[answer.by];
  const field = answer.fieldFor[type as number];
  if (field !== undefined && element[field] === undefined) {
    problems.push({ field: join(path, field), reason: `is required for ${answer.by} ${String(type)}` });
  }
}

function typeCheck(type: FieldType, compiler: Compiler, prefix: string): Check {
  switch (type.kind) {
    case 'string': {
      const format = type.format === 'email' ? emailProblem : undefined;
      return (value, path, problems) => {
        if (typeof value === 'string') {
          if (value.length > MAX_FIELD_CHARACTERS) return refuse(problems, path, tooLong(value));
          const wrong = format?.(value);
          return wrong === undefined ? value : refuse(problems, path, `${shown(value)} is not an email address (${wrong})`);
        }
        if (typeof value === 'number' && Number.isFinite(value)) return String(value);
        return refuse(problems, path, `${shown(value)} is not text`);
      };
    }
    case 'int': {
      const reader = intReader(type);
      return (value, path, problems) => reader.read(value) ?? refuse(problems, path, reader.refusal(value));
    }
    case 'ms':
    case 'msString': {
      const { dates, datesTried } = compiler;
      const asText = type.kind === 'msString';
      return (value, path, problems) => {
        const ms = dates(value);
        if (ms === undefined) return refuse(problems, path, `${shown(value)} is not a date (${datesTried})`);
        return asText ? String(ms) : ms;
      };
    }
    case 'strings': {
      const { maxItems } = type;
      return (value, path, problems) => {
        if (!Array.isArray(value)) return refuse(problems, path, `${shown(value)} is not a list of text`);
        if (maxItems !== undefined && value.length > maxItems) return refuse(problems, path, `has ${value.length} items, at most ${maxItems}`);
        const items: string[] = [];
        let refused = false;
        for (let index = 0; index < value.length; index++) {
          const item: unknown = value[index];
          if (typeof item === 'string' && item.length > MAX_FIELD_CHARACTERS) refused = refuse(problems, `${path}[${index}]`, tooLong(item)) === invalid;
          else if (typeof item === 'string') items.push(item);
          else if (typeof item === 'number' && Number.isFinite(item)) items.push(String(item));
          else refused = refuse(problems, `${path}[${index}]`, `${shown(item)} is not text`) === invalid;
        }
        return refused ? invalid : items;
      };
    }
    case 'phone': {
      const { phones } = compiler;
      if (!phones) throw new Error(`${prefix.slice(0, -1)} is a phone field: compile the validator with a phone reader`);
      // The national digits are sent; the dialling code keys the look-up (a talent under +852 is not one under +86).
      return (value, path, problems, local) => {
        const phone = phones(value);
        if (!phone.ok) return refuse(problems, path, phone.reason);
        local[diallingCodeAt(path)] = phone.diallingCode;
        return phone.national;
      };
    }
    case 'object':
      return objectCheck(type.fields, compiler, prefix);
    case 'list': {
      const element = objectCheck(type.of, compiler, `${prefix}[].`, type.answer);
      return (value, path, problems, local) => {
        if (!Array.isArray(value)) return refuse(problems, path, `${shown(value)} is not a list`);
        const items: unknown[] = [];
        let refused = false;
        for (let index = 0; index < value.length; index++) {
          const checked = element(value[index], `${path}[${index}]`, problems, local);
          if (checked === invalid) refused = true;
          else items.push(checked);
        }
        return refused ? invalid : items;
      };
    }
  }
}

function tooLong(text: string): string {
  return `is ${text.length.toLocaleString('en-US')} characters long, over the ${MAX_FIELD_CHARACTERS.toLocaleString('en-US')} a field may hold`;
}

/**
 * What keeps a text from being one email address, or undefined when it is one: no white space, one @, something
 * before it and a dotted domain after it. Deliberately loose beyond that (non-ASCII addresses are addresses).
 */
function emailProblem(text: string): string | undefined {
  if (/\s/u.test(text)) return 'it holds white space';
  const at = text.split('@').length - 1;
  if (at === 0) return 'it has no @';
  if (at > 1) return 'it has more than one @: one address per field';
  const [local, domain] = text.split('@') as [string, string];
  if (local === '' || !/^[^.]+(\.[^.]+)+$/u.test(domain) || /[,;<>()[\]"]/u.test(text)) return 'not name@domain.tld';
  return undefined;
}

function refuse(problems: Problem[], field: string, reason: string): typeof invalid {
  problems.push({ field, reason });
  return invalid;
}

function join(path: string, name: string): string {
  return path === '' ? name : `${path}.${name}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
