/** Reading a mapping file (JSON or YAML) and explaining exactly where it is wrong. */
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { fieldPath } from '../validate/problem.js';
import { fileErrorText } from '../read/fileError.js';
import { mappingSchema, type MappingSpec } from './mappingSchema.js';

export async function loadMapping(path: string): Promise<MappingSpec> {
  const name = basename(path);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`${path}: ${fileErrorText(error)} (the mapping)`);
  }
  let document: unknown;
  try {
    document = extname(path).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ConfigError(`${name}: not valid ${extname(path).toLowerCase() === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message}`);
  }
  const parsed = mappingSchema.safeParse(document ?? {});
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.flatMap((issue) => describeIssue(issue, [])).map((line) => `${name}: ${line}`).join('\n'));
  }
  return parsed.data;
}

/** `fields.conclusion.map: expected an object`: the path inside the file, then what is wrong there. */
function describeIssue(issue: z.core.$ZodIssue, prefix: PropertyKey[]): string[] {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'invalid_union') {
    // Follow the alternative the value nearly is: among those that got past the type check (the others only say
    // "expected text" and would bury the real problem), the one with fewest complaints, if there is one.
    const relevant = issue.errors
      .filter((issues) => !issues.every((inner) => inner.code === 'invalid_type' && inner.path.length === 0))
      .sort((a, b) => a.length - b.length);
    if (relevant.length === 1 || (relevant.length > 1 && relevant[0]!.length < relevant[1]!.length)) {
      return relevant[0]!.flatMap((inner) => describeIssue(inner, path));
    }
  }
  return [`${fieldPath(path) || '(top level)'}: ${message(issue)}`];
}

function message(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
    case 'invalid_type':
      return `expected ${article(issue.expected === 'record' ? 'object' : issue.expected)}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    default:
      return issue.message;
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
