/**
 * `hire-import preview FILE [--resource R] [--mapping M] [-n 5]`: the exact wire bodies the first records would
 * become, or why not, after the mapping's warnings. `preview PLAN --step S` does the same for one step of a plan, its
 * `{ step }` lookups answered from the parent steps' logs or a dry run of their inputs (src/plan/previewStep.ts).
 * Nothing is sent or written.
 */
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { openMappedInput, prepare, type InputOptions } from '../import/records.js';
import { logInState, planTargetFolder } from '../log/target.js';
import { withStepIds } from '../map/mapping.js';
import { warningLines } from '../map/place.js';
import { isPlanFile } from '../plan/planFile.js';
import { previewedStep, type PreviewedStep } from '../plan/previewStep.js';
import { plural } from '../report/format.js';
import { fieldPath, type Problem } from '../validate/problem.js';

export interface PreviewOptions extends Omit<InputOptions, 'stdin' | 'program'> {
  /** How many records to show. */
  n: number;
  /** When `file` is a plan: the step to preview. */
  step?: string;
  /** A plan's parents are read from its rehearsal logs (`migrate --sandbox`), not its real ones. */
  sandbox?: boolean;
}

export interface PreviewIO {
  stdout(text: string): void;
  stderr(text: string): void;
  stdin?: NodeJS.ReadableStream;
  /** Where a plan's default logs are found, as for `status PLAN`: the working folder, FEISHU_APP_ID and FEISHU_BASE_URL. */
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** The program as the user runs it: the commands a message suggests start with it. */
  program: string;
}

export async function preview(options: PreviewOptions, io: PreviewIO): Promise<{ shown: number; invalid: number }> {
  if (!Number.isInteger(options.n) || options.n < 1) throw new UsageError(`-n must be a positive whole number, got ${options.n}`);
  const cwd = io.cwd ?? process.cwd();
  const plan = isPlanFile(options.file) ? await planStep(options, { ...io, cwd }) : undefined;
  if (!plan && (options.step !== undefined || options.sandbox)) throw new UsageError(`--step and --sandbox are for a plan (migration.yaml); ${options.file} is an export`);
  const cleanup: Array<() => unknown> = [];
  try {
    const input = plan
      ? { file: plan.step.input, mapping: plan.step.mapping, spec: plan.spec, endpoint: plan.endpoint, steps: true, program: io.program }
      : { ...options, stdin: io.stdin, program: io.program };
    const { mapper, records } = await openMappedInput(input, cleanup);
    io.stderr(warningLines(mapper.warnings));
    let shown = 0;
    let invalid = 0;
    for await (const item of await records()) {
      const prepared = await prepare(item, mapper);
      const resolved = prepared.ok && prepared.stepKeys && plan ? withParents(prepared.body, prepared.stepKeys, plan) : prepared;
      if (resolved.ok) {
        io.stdout(`line ${item.line}:\n${JSON.stringify(resolved.body, null, 2)}\n\n`);
      } else {
        invalid++;
        io.stdout(`line ${item.line}: invalid\n${resolved.problems.map((problem) => `  ${problem.field}: ${problem.reason}\n`).join('')}\n`);
      }
      if (++shown === options.n) break;
    }
    io.stderr(`${plural(shown, 'record')} shown, ${invalid} invalid; nothing was sent\n`);
    return { shown, invalid };
  } finally {
    for (const step of cleanup.reverse()) await step();
  }
}

/** The plan's step, its logs where `migrate` keeps them (as `status PLAN` finds them). */
async function planStep(options: PreviewOptions, io: PreviewIO & { cwd: string }): Promise<PreviewedStep> {
  if (options.mapping) throw new UsageError('--mapping is for an export; a plan names the mapping of every step');
  const folder = planTargetFolder(options.sandbox === true, { cwd: io.cwd, env: io.env });
  return previewedStep(resolve(io.cwd, options.file), options.step, ({ resource }) => join(io.cwd, logInState(folder, resource)), io.program);
}

/** The body with its parents' ids in place of their legacy keys, or the keys no parent has. */
function withParents(body: Record<string, unknown>, keys: Parameters<typeof withStepIds>[1], plan: PreviewedStep): { ok: true; body: Record<string, unknown> } | { ok: false; problems: Problem[] } {
  const problems: Problem[] = [];
  const ids = keys.map((key) => {
    const parent = plan.parents.get(key.lookup)!;
    const id = parent.ids.get(key.key);
    if (id === undefined) problems.push({ field: fieldPath(key.path), reason: `parent '${key.key}' is neither in step ${parent.step}'s log nor among the records a run of its input would create` });
    return id ?? '';
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, body: withStepIds(body, keys, ids) };
}
