import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { loadPlan, type DefaultLog } from '../../src/plan/planFile.js';

const dir = mkdtempSync(join(tmpdir(), 'plan-file-'));
mkdirSync(join(dir, 'maps'));
for (const name of ['candidates.csv', 'applications.csv', 'maps/talents.yaml', 'maps/applications.yaml']) writeFileSync(join(dir, name), '');

/** Like the import command: next to the input, named after the resource so the test can tell it decided. */
const defaultLog: DefaultLog = ({ resource, input }) => `${input}.${resource}.results.jsonl`;

function plan(text: string, name = 'migration.yaml'): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function planError(text: string): Promise<string> {
  const error = await loadPlan(plan(text), defaultLog).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as Error).message;
}

const talents = '  - { resource: talents, input: candidates.csv, mapping: maps/talents.yaml }\n';

describe('loadPlan', () => {
  it('names steps after their resource, resolves paths against the plan file, and asks the import command for default logs', async () => {
    const path = plan(`steps:\n${talents}  - { resource: applications, name: apps, input: applications.csv, mapping: maps/applications.yaml, log: logs/apps.jsonl }\n`);
    expect(await loadPlan(path, defaultLog)).toEqual({
      file: path,
      steps: [
        {
          index: 0,
          name: 'talents',
          resource: 'talents',
          input: join(dir, 'candidates.csv'),
          mapping: join(dir, 'maps/talents.yaml'),
          log: join(dir, 'candidates.csv.talents.results.jsonl'),
        },
        {
          index: 1,
          name: 'apps',
          resource: 'applications',
          input: join(dir, 'applications.csv'),
          mapping: join(dir, 'maps/applications.yaml'),
          log: join(dir, 'logs/apps.jsonl'),
        },
      ],
    });
  });

  it('suggests the resource or key meant, and lists the resources when nothing is close', async () => {
    expect(await planError('steps:\n  - { resource: aplications, input: applications.csv, mapping: maps/applications.yaml }\n')).toBe(
      "migration.yaml: steps[0] (aplications): unknown resource 'aplications' (did you mean 'applications'?)",
    );
    expect(await planError('steps:\n  - { resource: checks, input: applications.csv, mapping: maps/applications.yaml }\n')).toBe(
      "migration.yaml: steps[0] (checks): unknown resource 'checks' (known: talents, applications, interviews, assessments, offers, background-checks)",
    );
    expect(await planError(`steps:\n${talents}  - { resource: applications, input: applications.csv, mapin: maps/applications.yaml }\n`)).toBe(
      "migration.yaml: steps[1] (applications): missing 'mapping'\nmigration.yaml: steps[1] (applications): unknown key 'mapin' (did you mean 'mapping'?)",
    );
    expect(await planError(`step:\n${talents}`)).toBe("migration.yaml: missing 'steps'\nmigration.yaml: unknown key 'step' (did you mean 'steps'?)");
  });

  it('names the step by index and name for wrong types and empty values', async () => {
    expect(await planError(`steps:\n${talents}  - applications.csv\n`)).toBe('migration.yaml: steps[1]: expected an object like { resource, input, mapping }');
    expect(await planError(`steps:\n  - { name: people, resource: talents, input: 7, mapping: "" }\n`)).toBe(
      'migration.yaml: steps[0] (people): input: expected text\nmigration.yaml: steps[0] (people): mapping: is empty',
    );
    expect(await planError('steps: []\n')).toBe('migration.yaml: steps: the plan has no steps');
    expect(await planError('steps: candidates.csv\n')).toBe('migration.yaml: steps: expected a list of { resource, input, mapping }');
    expect(await planError('')).toBe("migration.yaml: missing 'steps'");
  });

  it('refuses two steps with one name or one log, and files that are not there', async () => {
    expect(await planError(`steps:\n${talents}${talents}`)).toBe(
      "migration.yaml: steps[1] (talents): the name 'talents' is taken by steps[0] (talents): give one of them its own `name`\n" +
        `migration.yaml: steps[1] (talents): its result log ${join(dir, 'candidates.csv.talents.results.jsonl')} is also the log of steps[0] (talents): give one of them its own \`log\``,
    );
    expect(await planError('steps:\n  - { resource: talents, input: nobody.csv, mapping: maps }\n')).toBe(
      `migration.yaml: steps[0] (talents): input: no file ${join(dir, 'nobody.csv')}\nmigration.yaml: steps[0] (talents): mapping: ${join(dir, 'maps')} is not a file`,
    );
  });

  it('refuses a file that is not YAML or not there', async () => {
    expect(await planError('steps: [\n')).toMatch(/^migration\.yaml: not valid YAML: /);
    await expect(loadPlan(join(dir, 'none.yaml'), defaultLog)).rejects.toThrow(/none\.yaml: no such file \(the plan\)$/);
  });
});
