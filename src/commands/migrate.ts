/**
 * `hire-import migrate migration.yaml`: the composition root of a plan. Each step is the import of one resource
 * (src/commands/import.ts), and src/plan/run.ts runs them all at once. Guarantees:
 * - nothing is sent, not even a token asked for, unless the plan, every mapping, every input and every result log
 *   are sound (read, compiled, locked); otherwise every problem is named, by step, and the plan stops with exit 2;
 * - one connection (with --sandbox, one sandbox) for every step, so the ids one step creates are the ids its
 *   children send;
 * - each step's log defaults to where a single import of that resource keeps it (the state of the target and the
 *   resource), so a plan and single imports can follow one another; a rehearsal's sandbox keeps its records beside
 *   the first step's log, where single rehearsals keep theirs;
 * - a child record is sent with its parent's Feishu id as soon as the parent step logs it; one whose parent never
 *   comes is logged `blocked`; on a dry run a parent that would be created stands in with a placeholder id.
 * Printing the summaries and choosing the exit code are src/main.ts's business; the plan's code is the worst step's.
 */
import { endpointFor } from '../endpoints/registry.js';
import { targetOf } from '../log/target.js';
import { loadMapping, type MappingSpec } from '../map/mapping.js';
import { stepLookups, type StepLookups } from '../plan/order.js';
import { type Plan, type PlanStep, loadPlan } from '../plan/planFile.js';
import { runPlan } from '../plan/run.js';
import { commandLine } from '../report/commandLine.js';
import { near } from '../report/nearPath.js';
import { stepProgress } from '../report/planProgress.js';
import { importExitCode } from '../report/summary.js';
import { Tally } from '../report/tally.js';
import {
  checkCredentials,
  checkSendOptions,
  closeImport,
  connect,
  deadlineSignal,
  defaultStepLog,
  expectedRecords,
  lockSandboxState,
  openImport,
  sendImport,
  type Connection,
  type ImportIO,
  type ImportOptions,
  type ImportResult,
  type OpenedImport,
  type SendOptions,
} from './import.js';

export type MigrateOptions = SendOptions & {
  /** The plan file. */
  plan: string;
  /** Update records whose content changed, in the steps whose resource can be updated (talents cannot). */
  updateChanged?: boolean;
};

export type MigrateIO = Omit<ImportIO, 'stdin'>;

/** One step's end: its import's summary, or the error that stopped it. */
export type StepEnd = { step: PlanStep; exitCode: number } & ({ result: ImportResult } | { error: Error });

export interface MigrateResult {
  plan: Plan;
  /** The command that runs the plan again: what is done is skipped, the rest sent. */
  rerun: string;
  dryRun: boolean;
  sandbox: boolean;
  /** In the plan file's order. */
  steps: StepEnd[];
  /** The worst of the steps' codes. */
  exitCode: number;
}

export async function migrate(options: MigrateOptions, io: MigrateIO): Promise<MigrateResult> {
  checkSendOptions(options);
  // Said once for the plan, not once per step: every step would name the same missing variables.
  if (!options.dryRun && !options.sandbox) checkCredentials(options);
  const plan = await loadPlan(options.plan, defaultStepLog(targetOf(options)));
  // Each mapping is read once: its lookups give the order, then it is compiled for its step. A mapping that cannot be
  // read is reported with the step's other problems, when the step is prepared.
  const specs = new Map<string, MappingSpec | Error>();
  const lookups = new Map<string, StepLookups>();
  for (const step of plan.steps) {
    const spec = await loadMapping(step.mapping).catch((error: Error) => error);
    specs.set(step.name, spec);
    lookups.set(step.name, spec instanceof Error ? {} : stepLookups(spec));
  }

  // A dry run counts what it would send, which progress lines do not show: its summaries say it all at once.
  const progress = options.progress === 'off' || options.dryRun ? undefined : { write: io.stderr, clock: io.clock, date: () => new Date(), intervalMs: options.progressIntervalMs };
  const rerun = commandLine(io.program, ['migrate', options.plan, ...(options.sandbox ? ['--sandbox'] : []), ...(options.dryRun ? ['--dry-run'] : [])]);
  let connection: Connection | undefined;
  /** The sandbox's state, locked while the plan's sandbox runs. */
  const held: Array<() => unknown> = [];
  // One --max-duration deadline for every step: a step whose parents stopped at it stopped on purpose too.
  const ending: Array<() => unknown> = [];
  const deadline = deadlineSignal(options.maxDurationMs, io, ending);
  try {
    const ran = await runPlan<OpenedImport, ImportResult>({
      plan,
      lookups,
      now: () => io.clock.now(),
      prepareStep: async (step) => {
        const spec = specs.get(step.name);
        if (spec instanceof Error) throw spec;
        const logsOf = (resource: string) => plan.steps.filter((other) => other.resource === resource).map((other) => near(other.log, io.cwd));
        return openImport(stepOptions(step, options, io.cwd), io, { spec, logsOf });
      },
      loggedIds: (_step, opened) => opened.history.known,
      release: closeImport,
      beforeRun: async () => {
        if (options.dryRun) return;
        const sandboxState = options.sandbox ? await lockSandboxState(near(plan.steps[0]!.log, io.cwd), io, held) : undefined;
        // Every step's requests go through one pool: big enough that no step's paced request waits behind another's.
        connection = await connect({ ...options, concurrency: options.concurrency * plan.steps.length, sandboxState }, io);
      },
      runStep: async (step, { prepared, lookups: parents, own }) => {
        try {
          const tally = new Tally();
          const heading = { resource: step.resource, input: prepared.options.file, target: connection?.target, log: prepared.paths.log };
          const shown = progress && stepProgress(progress, step.name, tally, heading, await expectedRecords(prepared, io.signal));
          // A signal of its own, aborted with the plan's: one signal would gather the listeners of every step.
          const stepIo = { ...io, signal: AbortSignal.any([io.signal]), deadline };
          const result = await sendImport(prepared, connection, stepIo, { tally, parents, own, onOutage: shown?.outageChanged, continueWith: rerun });
          shown?.end();
          // A step's rejects are fixed in its input (or its parent's), then the plan is run again, not the step alone.
          const { rerun: _single, ...summary } = result;
          return { summary, exitCode: importExitCode(summary), complete: !summary.interrupted && summary.stoppedEarly === null && !summary.stop && summary.pending === 0 };
        } finally {
          await closeImport(prepared);
        }
      },
    });
    return {
      plan,
      rerun,
      dryRun: options.dryRun,
      sandbox: options.sandbox,
      steps: ran.steps.map((end) => ('summary' in end ? { step: end.step, exitCode: end.exitCode, result: end.summary } : end)),
      exitCode: ran.exitCode,
    };
  } finally {
    for (const end of ending) end();
    await connection?.close();
    for (const release of held) await release();
  }
}

/** A step's import: the plan's sending options, the step's resource, input, mapping and log; progress is the plan's. */
function stepOptions(step: PlanStep, options: MigrateOptions, cwd: string): ImportOptions {
  const { plan: _plan, updateChanged = false, ...sending } = options;
  const updatable = Boolean(endpointFor(step.resource)?.update);
  return { ...sending, resource: step.resource, file: near(step.input, cwd), mapping: near(step.mapping, cwd), log: near(step.log, cwd), updateChanged: updateChanged && updatable, progress: 'off' };
}
