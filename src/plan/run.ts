/**
 * Runs a plan: every step at the same time, each through the injected `runStep` (the import of one resource), with
 * the ids of the steps it looks up arriving while those steps run. Guarantees:
 * - nothing is sent unless every step is sound: the order (no cycle, no unknown step) is checked and every step is
 *   prepared (mapping compiled, input opened, log locked) before `beforeRun` (which connects) and the first
 *   `runStep`; any problem stops the plan with every step's problem, each named by plan file and step, and releases
 *   what was prepared;
 * - a step's ids are fed to its children as it logs them, and when its `runStep` ends its children still waiting
 *   learn that their parent will not come (missing, or stopped for a rerun);
 * - one step's failure does not stop the others; each step's summary or error is collected, and the plan's exit
 *   code is the worst of the steps'.
 */
import { basename } from 'node:path';
import { ExitCode, exitCodeFor } from '../errors.js';
import { worstExitCode } from './exitCode.js';
import { planOrder, type PlanOrder, type StepLookups } from './order.js';
import { ParentIds, type LoggedIds } from './parentIds.js';
import { stepLabel, type Plan, type PlanStep } from './planFile.js';

export interface StepContext<Prepared> {
  step: PlanStep;
  /** What `prepareStep` returned for this step; `runStep` now owns it (and releases it). */
  prepared: Prepared;
  /** The ids of the steps this one looks up, by lookup name as its mapping's `{ step }` lookups name them. */
  lookups: ReadonlyMap<string, ParentIds>;
  /** This step's own ids, when another step looks it up: record every outcome the step logs here. */
  own?: ParentIds;
}

export interface StepOutcome<Summary> {
  summary: Summary;
  exitCode: number;
  /** Every record of the input got its outcome: not interrupted, not stopped early, nothing left pending. */
  complete: boolean;
}

export interface PlanRun<Prepared, Summary> {
  plan: Plan;
  /** Each step's `{ step }` lookups (stepLookups of its mapping), by step name. */
  lookups: ReadonlyMap<string, StepLookups>;
  /** Checks and opens everything the step needs (its log locked and read too) without sending; throws what is wrong. */
  prepareStep(step: PlanStep): Promise<Prepared>;
  /**
   * What a step's result log holds (created, updated, matched): its KnownIds as its preparation read it, under the
   * log's lock, so the log is read once and held once. Asked, once every step is prepared, only of steps that are
   * looked up.
   */
  loggedIds(step: PlanStep, prepared: Prepared): Promise<LoggedIds> | LoggedIds;
  runStep(step: PlanStep, context: StepContext<Prepared>): Promise<StepOutcome<Summary>>;
  /** Releases a prepared step that will not run (another step could not be prepared, or `beforeRun` failed). */
  release(prepared: Prepared): Promise<void> | void;
  /** Once every step is prepared, before any runs: what the steps share is opened here (the connection). */
  beforeRun?(): Promise<void>;
  /** The clock ids created in this run are dated by. */
  now: () => number;
  /** Children that may wait on one parent step before their readers pause (ParentIds' default otherwise). */
  parkLimit?: number;
}

export type StepResult<Summary> = { step: PlanStep; exitCode: number } & ({ summary: Summary } | { error: Error });

export interface PlanResult<Summary> {
  order: PlanOrder;
  /** In the plan file's order. */
  steps: Array<StepResult<Summary>>;
  exitCode: number;
}

export async function runPlan<Prepared, Summary>(run: PlanRun<Prepared, Summary>): Promise<PlanResult<Summary>> {
  const { plan } = run;
  const order = planOrder(plan, run.lookups);
  const prepared = await prepareAll(run);
  const ids = new Map<string, ParentIds>();
  try {
    const looked = new Set([...order.parents.values()].flat());
    for (const [index, step] of plan.steps.entries()) {
      if (!looked.has(step.name)) continue;
      const logged = await run.loggedIds(step, prepared[index]!);
      ids.set(step.name, new ParentIds({ step: step.name, logged, now: run.now, parkLimit: run.parkLimit }));
    }
    await run.beforeRun?.();
  } catch (error) {
    await releaseAll(run, prepared);
    throw error;
  }
  const lookupsOf = (step: PlanStep) =>
    new Map(Object.entries(run.lookups.get(step.name) ?? {}).map(([lookup, parent]) => [lookup, ids.get(parent)!] as const));

  const steps = await Promise.all(
    plan.steps.map(async (step, index): Promise<StepResult<Summary>> => {
      const own = ids.get(step.name);
      try {
        const outcome = await run.runStep(step, { step, prepared: prepared[index]!, lookups: lookupsOf(step), own });
        own?.finish(outcome.complete ? 'complete' : 'stopped');
        return { step, summary: outcome.summary, exitCode: outcome.exitCode };
      } catch (error) {
        own?.finish('stopped');
        const thrown = error instanceof Error ? error : new Error(String(error));
        return { step, error: thrown, exitCode: exitCodeFor(thrown) };
      }
    }),
  );
  return { order, steps, exitCode: worstExitCode(steps.map((result) => result.exitCode)) };
}

/**
 * Every step prepared, or none: on problems the prepared ones are released and the first problem's error is thrown
 * (its kind sets the exit code), carrying every step's problem, one per line.
 */
async function prepareAll<Prepared, Summary>(run: PlanRun<Prepared, Summary>): Promise<Prepared[]> {
  const prepared: Prepared[] = [];
  const problems: Error[] = [];
  try {
    for (const step of run.plan.steps) {
      try {
        prepared.push(await run.prepareStep(step));
      } catch (error) {
        // What would exit 2 is the user's to fix: gather it. Anything else is a bug: stop at once.
        if (!(error instanceof Error) || exitCodeFor(error) !== ExitCode.usage) throw error;
        error.message = `${basename(run.plan.file)}: ${stepLabel(step)}: ${error.message}`;
        problems.push(error);
      }
    }
  } catch (error) {
    await releaseAll(run, prepared);
    throw error;
  }
  if (problems.length === 0) return prepared;
  await releaseAll(run, prepared);
  const [first] = problems;
  first!.message = problems.map((problem) => problem.message).join('\n');
  throw first;
}

async function releaseAll<Prepared, Summary>(run: PlanRun<Prepared, Summary>, prepared: Prepared[]): Promise<void> {
  for (const step of prepared) await run.release(step);
}
