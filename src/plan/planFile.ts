/**
 * The plan file of `hire-import migrate migration.yaml`: which resource to import from which input with which
 * mapping, one step each. A loaded plan guarantees: every step names a resource of the registry, has a unique name
 * (the resource, unless it says otherwise), an input and a mapping that are files, and a result log of its own; every
 * path is absolute (the file's paths are relative to the plan file). Anything else is a ConfigError that names the
 * plan file and the step, all problems at once, one per line.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { resourceNames } from '../endpoints/registry.js';
import { ConfigError } from '../errors.js';
import { fileErrorText } from '../read/fileError.js';
import { suggestion } from '../validate/suggest.js';

export interface PlanStep {
  /** Its position in the plan file, from 0 (messages say steps[2]). */
  index: number;
  /** What `{ step: NAME }` lookups call it: the resource unless the file names it. */
  name: string;
  resource: string;
  input: string;
  mapping: string;
  log: string;
}

export interface Plan {
  /** The plan file, absolute. */
  file: string;
  /** In the file's order; the order they run in comes from their lookups (see order.ts). */
  steps: PlanStep[];
}

/** Where a step keeps its result log when the plan does not say: the import command decides (input = absolute). */
export type DefaultLog = (step: { resource: string; input: string }) => string;

const stepSchema = z
  .object({
    resource: z.string().min(1),
    input: z.string().min(1),
    mapping: z.string().min(1),
    name: z.string().min(1).optional(),
    log: z.string().min(1).optional(),
  })
  .strict();

const planSchema = z.object({ steps: z.array(stepSchema).min(1) }).strict();

const stepKeys = Object.keys(stepSchema.shape);
const planKeys = Object.keys(planSchema.shape);

export async function loadPlan(path: string, defaultLog: DefaultLog): Promise<Plan> {
  const file = resolve(path);
  const name = basename(file);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`${path}: ${fileErrorText(error)} (the plan)`);
  }
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`${name}: not valid YAML: ${(error as Error).message}`);
  }
  const parsed = planSchema.safeParse(document ?? {});
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.flatMap((issue) => describeIssue(issue, document)).map((line) => `${name}: ${line}`).join('\n'));
  }

  const baseDir = dirname(file);
  const problems: string[] = [];
  const steps = parsed.data.steps.map((raw, index): PlanStep => {
    const stepName = raw.name ?? raw.resource;
    const at = stepLabel({ index, name: stepName });
    if (!resourceNames.includes(raw.resource)) problems.push(`${at}: unknown resource '${raw.resource}'${suggestion(raw.resource, resourceNames, 'known')}`);
    const input = resolve(baseDir, raw.input);
    const mapping = resolve(baseDir, raw.mapping);
    for (const [key, value] of [['input', input], ['mapping', mapping]] as const) {
      if (!existsSync(value)) problems.push(`${at}: ${key}: no file ${value}`);
      else if (!statSync(value).isFile()) problems.push(`${at}: ${key}: ${value} is not a file`);
    }
    const log = raw.log === undefined ? resolve(defaultLog({ resource: raw.resource, input })) : resolve(baseDir, raw.log);
    return { index, name: stepName, resource: raw.resource, input, mapping, log };
  });
  problems.push(...sharedNames(steps), ...sharedLogs(steps));
  if (problems.length > 0) throw new ConfigError(problems.map((line) => `${name}: ${line}`).join('\n'));
  return { file, steps };
}

/** Whether a command's target is a plan file rather than one result log: by its extension, as the user names it. */
export function isPlanFile(target: string): boolean {
  return ['.yaml', '.yml'].includes(extname(target).toLowerCase());
}

/** How messages name a step: `steps[2] (interviews)`. */
export function stepLabel(step: { index: number; name?: string }): string {
  return step.name === undefined ? `steps[${step.index}]` : `steps[${step.index}] (${step.name})`;
}

function sharedNames(steps: PlanStep[]): string[] {
  const first = new Map<string, PlanStep>();
  const problems: string[] = [];
  for (const step of steps) {
    const earlier = first.get(step.name);
    if (earlier === undefined) first.set(step.name, step);
    else problems.push(`${stepLabel(step)}: the name '${step.name}' is taken by ${stepLabel(earlier)}: give one of them its own \`name\``);
  }
  return problems;
}

/** Two steps appending to one log would each lock the other out, and each would read the other's keys as its own. */
function sharedLogs(steps: PlanStep[]): string[] {
  const first = new Map<string, PlanStep>();
  const problems: string[] = [];
  for (const step of steps) {
    const earlier = first.get(step.log);
    if (earlier === undefined) first.set(step.log, step);
    else problems.push(`${stepLabel(step)}: its result log ${step.log} is also the log of ${stepLabel(earlier)}: give one of them its own \`log\``);
  }
  return problems;
}

/** One line per problem, `steps[1] (applications): missing 'input'`, with a did-you-mean for unknown keys. */
function describeIssue(issue: z.core.$ZodIssue, document: unknown): string[] {
  const { path } = issue;
  const inStep = path[0] === 'steps' && typeof path[1] === 'number';
  // Where it is: the step's label, then the key inside it.
  const where = inStep ? [stepLabel({ index: path[1] as number, name: rawStepName(document, path[1] as number) }), ...path.slice(2).map(String)] : path.map(String);
  const at = (what: string, segments = where) => [...segments, what].join(': ');
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => at(`unknown key '${key}'${suggestion(key, inStep ? stepKeys : planKeys, 'known')}`));
    case 'invalid_type':
      if (path.length > 0 && valueAt(document, path) === undefined) return [at(`missing '${String(path[path.length - 1])}'`, where.slice(0, -1))];
      if (path.length === 0) return [at('expected `steps:`, a list of { resource, input, mapping }')];
      if (path.length === 1) return [at('expected a list of { resource, input, mapping }')];
      if (where.length === 1) return [at('expected an object like { resource, input, mapping }')];
      return [at(`expected ${issue.expected === 'string' ? 'text' : issue.expected}`)];
    case 'too_small':
      return [at(issue.origin === 'array' ? 'the plan has no steps' : 'is empty')];
    default:
      return [at(issue.message)];
  }
}

function rawStepName(document: unknown, index: number): string | undefined {
  const name = valueAt(document, ['steps', index, 'name']) ?? valueAt(document, ['steps', index, 'resource']);
  return typeof name === 'string' && name !== '' ? name : undefined;
}

function valueAt(document: unknown, path: readonly PropertyKey[]): unknown {
  let value = document;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}
