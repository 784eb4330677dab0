import { describe, expect, it } from 'vitest';
import { ConfigError, ExitCode, InputError, LockedError } from '../../src/errors.js';
import { worstExitCode } from '../../src/plan/exitCode.js';
import type { StepLookups } from '../../src/plan/order.js';
import { KnownIds } from '../../src/import/knownIds.js';
import type { ParentAnswer } from '../../src/plan/parentIds.js';
import type { Plan, PlanStep } from '../../src/plan/planFile.js';
import { runPlan, type PlanRun, type StepContext, type StepOutcome } from '../../src/plan/run.js';

/** What a fake step did: the records it sent with their parent's id, blocked with the reason, or left for a rerun. */
interface Summary {
  sent: string[];
  blocked: string[];
  pending: string[];
}
type FakeStep = (context: StepContext<string>) => Promise<StepOutcome<Summary>>;

function plan(...names: string[]): Plan {
  return {
    file: '/p/migration.yaml',
    steps: names.map((name, index): PlanStep => ({ index, name, resource: name, input: `/p/${name}.csv`, mapping: `/p/${name}.yaml`, log: `/p/${name}.jsonl` })),
  };
}

function planRun(
  steps: Record<string, FakeStep>,
  lookups: Record<string, StepLookups>,
  more: Partial<PlanRun<string, Summary>> = {},
): PlanRun<string, Summary> & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    plan: plan(...Object.keys(steps)),
    lookups: new Map(Object.entries(lookups)),
    loggedIds: async (step, prepared) => {
      calls.push(`loggedIds ${step.name} from ${prepared}`);
      return new KnownIds();
    },
    prepareStep: async (step) => {
      calls.push(`prepare ${step.name}`);
      return `prepared ${step.name}`;
    },
    runStep: (step, context) => {
      calls.push(`run ${step.name} with ${context.prepared}`);
      return steps[step.name]!(context);
    },
    release: (prepared) => {
      calls.push(`release ${prepared}`);
    },
    now: () => 5000,
    ...more,
  };
}

const done = (summary: Partial<Summary> = {}, exitCode = 0): StepOutcome<Summary> => ({
  summary: { sent: [], blocked: [], pending: [], ...summary },
  exitCode,
  complete: (summary.pending ?? []).length === 0,
});

/**
 * A parent step: logs each outcome into its ParentIds; `between` runs after each (to hold the parent until a child
 * has seen the id), `before` before the first (to let a child park first).
 */
function parentStep(
  outcomes: Array<{ key: string; status: string; id?: string }>,
  events: string[],
  hooks: { between?: (key: string) => Promise<void>; before?: Promise<void> } = {},
): FakeStep {
  return async ({ own }) => {
    await hooks.before;
    for (const { key, status, id } of outcomes) {
      own!.record({ external_id: key, status, id });
      events.push(`parent logged ${key} ${status}`);
      await hooks.between?.(key);
    }
    events.push('parent ends');
    return done({ sent: outcomes.filter((outcome) => outcome.id).map((outcome) => outcome.key) }, outcomes.every((outcome) => outcome.id) ? 0 : 1);
  };
}

/**
 * A child step like the import will be: reads its records, parks each on its parent's key (pausing while the
 * parent has no room), and settles each as its answer comes: sent with the id, blocked, or left pending.
 */
function childStep(
  records: Array<[string, string]>,
  events: string[],
  hooks: { onSent?: (parentKey: string) => void; readAll?: () => void } = {},
): FakeStep {
  return async ({ lookups }) => {
    const parent = lookups.get('parent')!;
    const summary: Summary = { sent: [], blocked: [], pending: [] };
    const settle = (key: string, parentKey: string, answer: ParentAnswer, when: string) => {
      if (answer.status === 'found') summary.sent.push(`${key} -> ${answer.id}`);
      else if (answer.status === 'missing') summary.blocked.push(`${key}: ${answer.reason}`);
      else summary.pending.push(key);
      events.push(`child ${key} ${answer.status}${when}`);
      if (answer.status === 'found') hooks.onSent?.(parentKey);
    };
    const parked: Array<Promise<void>> = [];
    for (const [key, parentKey] of records) {
      await parent.room();
      const answer = parent.resolve(parentKey);
      if (answer instanceof Promise) parked.push(answer.then((settled) => settle(key, parentKey, settled, '')));
      else settle(key, parentKey, answer, ' at once');
    }
    hooks.readAll?.();
    await Promise.all(parked);
    return done(summary, summary.blocked.length > 0 ? ExitCode.recordsFailed : ExitCode.ok);
  };
}

describe('runPlan', () => {
  it('gives a child each id as its parent logs it, while the parent is still running', async () => {
    const events: string[] = [];
    // The parent goes on only once the child has sent the record of the id just logged: a child that waited for
    // the whole parent step would never let it finish.
    const seen = new Map<string, () => void>();
    const childSaw = (key: string) => new Promise<void>((resolve) => seen.set(key, resolve));
    const parent = parentStep(
      ['A1', 'A2', 'A3'].map((key, index) => ({ key, status: 'created', id: `70${index + 1}` })),
      events,
      { between: (key) => childSaw(key) },
    );
    const child = childStep([['I1', 'A1'], ['I2', 'A2'], ['I3', 'A3']], events, { onSent: (key) => seen.get(key)?.() });
    const run = planRun({ child, parent, idle: async () => done() }, { child: { parent: 'parent' } });

    const result = await runPlan(run);
    expect(events.map((event) => event.replace(' at once', ''))).toEqual([
      'parent logged A1 created',
      'child I1 found',
      'parent logged A2 created',
      'child I2 found',
      'parent logged A3 created',
      'child I3 found',
      'parent ends',
    ]);
    expect(result.order.levels).toEqual([['parent', 'idle'], ['child']]);
    expect(result.steps.map((step) => [step.step.name, 'summary' in step ? step.summary.sent : step.error])).toEqual([
      ['child', ['I1 -> 701', 'I2 -> 702', 'I3 -> 703']],
      ['parent', ['A1', 'A2', 'A3']],
      ['idle', []],
    ]);
    expect(result.exitCode).toBe(0);
    expect(run.calls).toEqual([
      'prepare child',
      'prepare parent',
      'prepare idle',
      'loggedIds parent from prepared parent',
      'run child with prepared child',
      'run parent with prepared parent',
      'run idle with prepared idle',
    ]);
  }, 10_000);

  it('resolves ids from the parent log at once, and blocks a child whose parent key never appears, only after the parent ends', async () => {
    const events: string[] = [];
    const logged = new KnownIds();
    logged.recordCreated('A0', '700');
    let childReadAll = () => {};
    const before = new Promise<void>((resolve) => (childReadAll = resolve));
    const parent = parentStep(
      [
        { key: 'A1', status: 'created', id: '701' },
        { key: 'A2', status: 'failed' },
      ],
      events,
      { before },
    );
    const child = childStep([['I0', 'A0'], ['I9', 'A99'], ['I2', 'A2'], ['I1', 'A1']], events, { readAll: childReadAll });
    const run = planRun({ parent, child }, { child: { parent: 'parent' } }, { loggedIds: () => logged });

    const result = await runPlan(run);
    expect(events).toEqual([
      'child I0 found at once',
      'parent logged A1 created',
      'child I1 found',
      'parent logged A2 failed',
      'parent ends',
      'child I9 missing',
      'child I2 missing',
    ]);
    expect(result.steps[1]).toMatchObject({
      exitCode: 1,
      summary: {
        sent: ['I0 -> 700', 'I1 -> 701'],
        blocked: [
          "I9: parent 'A99' not found in step parent (the step has finished without it)",
          "I2: parent 'A2' not found in step parent (its record there was logged failed)",
        ],
      },
    });
    expect(result.exitCode).toBe(1);
  });

  it('leaves the children of a step that threw for a rerun, and runs the others to their end', async () => {
    const events: string[] = [];
    const parent: FakeStep = async ({ own }) => {
      own!.record({ external_id: 'A1', status: 'created', id: '701' });
      await new Promise((resolve) => setImmediate(resolve));
      throw new ConfigError('the app lacks hire:external_application');
    };
    const child = childStep([['I1', 'A1'], ['I2', 'A2']], events);
    const result = await runPlan(planRun({ parent, child, other: async () => done({ sent: ['X1'] }) }, { child: { parent: 'parent' } }));
    expect(result.steps).toMatchObject([
      { step: { name: 'parent' }, exitCode: 2, error: new ConfigError('the app lacks hire:external_application') },
      { step: { name: 'child' }, exitCode: 0, summary: { sent: ['I1 -> 701'], blocked: [], pending: ['I2'] } },
      { step: { name: 'other' }, exitCode: 0, summary: { sent: ['X1'] } },
    ]);
    expect(result.exitCode).toBe(2);
  });

  it('exits with the worst of the steps', async () => {
    const codes = { a: 0, b: ExitCode.recordsFailed, c: ExitCode.interrupted, d: ExitCode.usage };
    const steps = Object.fromEntries(Object.entries(codes).map(([name, code]) => [name, async () => done({}, code)]));
    expect((await runPlan(planRun(steps, {}))).exitCode).toBe(ExitCode.interrupted);
    const withLocked = { ...steps, c: async () => Promise.reject(new LockedError('another import holds d.jsonl')) };
    expect((await runPlan(planRun(withLocked, {}))).exitCode).toBe(ExitCode.locked);
  });

  it('prepares every step before running any, and on problems runs none, naming each step at fault', async () => {
    const never: FakeStep = () => Promise.reject(new Error('must not run'));
    const run = planRun(
      { talents: never, applications: never, interviews: never, offers: never },
      { applications: { talents: 'talents' }, interviews: { applications: 'applications' } },
      {
        prepareStep: async (step) => {
          run.calls.push(`prepare ${step.name}`);
          if (step.name === 'applications') throw new ConfigError("mapping fields.job_title: no column '职位' in applications.csv");
          if (step.name === 'offers') throw new InputError('offers.csv: binary data at line 3');
          return `prepared ${step.name}`;
        },
      },
    );
    const error = await runPlan(run).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      "migration.yaml: steps[1] (applications): mapping fields.job_title: no column '职位' in applications.csv\n" +
        'migration.yaml: steps[3] (offers): offers.csv: binary data at line 3',
    );
    expect(run.calls).toEqual([
      'prepare talents',
      'prepare applications',
      'prepare interviews',
      'prepare offers',
      'release prepared talents',
      'release prepared interviews',
    ]);
  });

  it('lets a bug in preparing stop the plan as it is, after releasing what was prepared', async () => {
    const never: FakeStep = () => Promise.reject(new Error('must not run'));
    const bug = new TypeError("Cannot read properties of undefined (reading 'fields')");
    const run = planRun({ a: never, b: never, c: never }, {}, {
      prepareStep: async (step) => {
        if (step.name === 'b') throw bug;
        return `prepared ${step.name}`;
      },
    });
    await expect(runPlan(run)).rejects.toBe(bug);
    expect(run.calls).toEqual(['release prepared a']);
  });

  it('releases every prepared step when a log cannot be read', async () => {
    const never: FakeStep = () => Promise.reject(new Error('must not run'));
    const run = planRun({ a: never, b: never }, { b: { a: 'a' } }, {
      loggedIds: async () => Promise.reject(new ConfigError('a.jsonl: not a hire-import result log')),
    });
    await expect(runPlan(run)).rejects.toThrow('a.jsonl: not a hire-import result log');
    expect(run.calls).toEqual(['prepare a', 'prepare b', 'release prepared a', 'release prepared b']);
  });

  it('opens what the steps share (beforeRun) once every step is prepared, and releases them all if that fails', async () => {
    const sent: FakeStep = async () => done({ sent: ['x'] });
    const connecting = planRun({ a: sent, b: sent }, {}, { beforeRun: async () => void connecting.calls.push('beforeRun') });
    await runPlan(connecting);
    expect(connecting.calls).toEqual(['prepare a', 'prepare b', 'beforeRun', 'run a with prepared a', 'run b with prepared b']);

    const refused = planRun({ a: sent, b: sent }, {}, { beforeRun: () => Promise.reject(new ConfigError('no app credentials')) });
    await expect(runPlan(refused)).rejects.toThrow('no app credentials');
    expect(refused.calls).toEqual(['prepare a', 'prepare b', 'release prepared a', 'release prepared b']);
  });

  it('stops a plan with a cycle before reading any log or preparing any step', async () => {
    const never: FakeStep = () => Promise.reject(new Error('must not run'));
    const run = planRun({ a: never, b: never }, { a: { b: 'b' }, b: { a: 'a' } });
    await expect(runPlan(run)).rejects.toThrow(new ConfigError("migration.yaml: the steps' lookups form a cycle: a -> b -> a (each waits for ids from the next, so none could start)"));
    expect(run.calls).toEqual([]);
  });
});

describe('worstExitCode', () => {
  // Worst first, by number: internal, log write failed, locked, unavailable, the app refused, interrupted, usage,
  // records failed, stopped on purpose, ok.
  const order = [70, 74, 75, 69, 77, 130, 2, 1, 3, 0];

  it('ranks 70 > 74 > 75 > 69 > 77 > 130 > 2 > 1 > 3 > 0', () => {
    for (let worse = 0; worse < order.length; worse++) {
      for (let better = worse + 1; better < order.length; better++) {
        expect(worstExitCode([order[better]!, order[worse]!])).toBe(order[worse]);
        expect(worstExitCode([order[worse]!, order[better]!])).toBe(order[worse]);
      }
    }
  });

  it('is ok for no steps, and counts a code it does not know as an internal error', () => {
    expect(worstExitCode([])).toBe(0);
    expect(worstExitCode([130, 99, 2])).toBe(99);
    expect(worstExitCode([70, 99])).toBe(70);
  });
});
