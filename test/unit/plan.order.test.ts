import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { planOrder, stepLookups, type StepLookups } from '../../src/plan/order.js';

/** Steps named after their resources unless `name:resource` says otherwise. */
function plan(...specs: string[]) {
  return {
    file: '/plans/migration.yaml',
    steps: specs.map((spec, index) => {
      const [name, resource = name] = spec.split(':') as [string, string?];
      return { index, name, resource, mapping: `/plans/${name}.yaml` };
    }),
  };
}

const links = (entries: Record<string, StepLookups>) => new Map(Object.entries(entries));

function orderError(...args: Parameters<typeof planOrder>): string {
  try {
    planOrder(...args);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('stepLookups', () => {
  it('keeps the { step } lookups of a mapping, by lookup name', () => {
    expect(
      stepLookups({
        lookups: { apps: { step: 'applications' }, old: { log: 'old.jsonl' }, table: { file: 't.csv', key: 'k', value: 'v' }, people: { step: 'talents' } },
      }),
    ).toEqual({ apps: 'applications', people: 'talents' });
    expect(stepLookups({})).toEqual({});
  });
});

describe('planOrder', () => {
  it('orders the whole chain from the lookups, whatever the order of the list', () => {
    const order = planOrder(
      plan('background-checks', 'assessments', 'offers', 'interviews', 'applications', 'talents'),
      links({
        'background-checks': { applications: 'applications' },
        assessments: { interviews: 'interviews' },
        offers: { applications: 'applications' },
        interviews: { applications: 'applications' },
        applications: { talents: 'talents' },
      }),
    );
    expect(order.levels).toEqual([['talents'], ['applications'], ['background-checks', 'offers', 'interviews'], ['assessments']]);
    expect(Object.fromEntries(order.parents)).toEqual({
      'background-checks': ['applications'],
      assessments: ['interviews'],
      offers: ['applications'],
      interviews: ['applications'],
      applications: ['talents'],
      talents: [],
    });
  });

  it('puts a step with two parents after both, and a step that looks up nothing first', () => {
    const order = planOrder(
      plan('interviews', 'talents', 'applications', 'old-offers:offers'),
      links({ interviews: { apps: 'applications', people: 'talents', again: 'applications' }, applications: { talents: 'talents' } }),
    );
    expect(order.levels).toEqual([['talents', 'old-offers'], ['applications'], ['interviews']]);
    expect(order.parents.get('interviews')).toEqual(['talents', 'applications']);
  });

  it('names a cycle, including one a step is not on and a step looking up itself', () => {
    expect(orderError(plan('a:talents', 'b:applications'), links({ a: { x: 'b' }, b: { y: 'a' } }))).toBe(
      "migration.yaml: the steps' lookups form a cycle: a -> b -> a (each waits for ids from the next, so none could start)",
    );
    expect(orderError(plan('c:offers', 'a:talents', 'b:applications'), links({ c: { x: 'a' }, a: { x: 'b' }, b: { y: 'a' } }))).toMatch(
      /: a -> b -> a /,
    );
    expect(orderError(plan('interviews'), links({ interviews: { self: 'interviews' } }))).toMatch(/: interviews -> interviews /);
  });

  it('refuses a lookup on a step the plan does not have, saying what it probably meant', () => {
    const steps = plan('talents', 'apps:applications', 'interviews', 'assessments');
    expect(orderError(steps, links({ interviews: { applications: 'applications' }, assessments: { interviews: 'interview' } }))).toBe(
      "migration.yaml: steps[2] (interviews): interviews.yaml lookups.applications: no step 'applications' in this plan (its applications step is named 'apps')\n" +
        "migration.yaml: steps[3] (assessments): assessments.yaml lookups.interviews: no step 'interview' in this plan (did you mean 'interviews'?)",
    );
    expect(orderError(plan('talents', 'interviews'), links({ interviews: { applications: 'applications' } }))).toBe(
      "migration.yaml: steps[1] (interviews): interviews.yaml lookups.applications: no step 'applications' in this plan: " +
        "add a step for applications, or read an earlier import's result log with { log: FILE }",
    );
    expect(orderError(plan('talents', 'interviews'), links({ interviews: { x: 'legacy-system' } }))).toBe(
      "migration.yaml: steps[1] (interviews): interviews.yaml lookups.x: no step 'legacy-system' in this plan (known: talents, interviews)",
    );
  });
});
