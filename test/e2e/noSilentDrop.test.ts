/**
 * No silent drop, in every command: what a mapping would quietly leave out is said before anything is sent, by the
 * dry run, the import and each step of a plan, and carried by --json; the real CLI against the sandbox.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { credentialEnv, credentials, runCli } from '../support/cli.js';

let sandbox: Sandbox;
let folder: string;

beforeEach(async () => {
  sandbox = await startSandbox(credentials);
  folder = mkdtempSync(join(tmpdir(), 'hire-import-drop-'));
});
afterEach(() => sandbox.close());

/** Ten scorecards with a Technical and a Communication score each, as a wide export has them. */
function scorecards(): void {
  const rows = Array.from({ length: 10 }, (_, index) => `S-${100 + index},${7010000000000000100 + index},interviewer${index},pass,${index % 5},${(index + 2) % 5}`);
  writeFileSync(join(folder, 'scorecards.csv'), ['id,interview,interviewer,verdict,Technical score,Communication score', ...rows, ''].join('\n'));
}

/** The mapping with the typo: `Tecnical` matches no column, so every Technical score would be dropped. */
const typoMapping = [
  'fields:',
  '  external_id: id',
  '  external_interview_id: interview',
  '  username: interviewer',
  '  conclusion: verdict',
  'dimensions:',
  '  - each: { columns: "^(?<title>Tecnical|Communication) score$" }',
  '    type: score',
  '    title: title',
  '    answer: value',
  '',
].join('\n');

const alternativeWarning = "warning: typo.yaml: dimensions[0].each.columns: 'Tecnical' matches no column of scorecards.csv";
const unreadWarning = 'warning: scorecards.csv: no value of the mapping reads the column Technical score';

function occurrences(text: string, part: string): number {
  return text.split(part).length - 1;
}

describe('mapping warnings outside preview', () => {
  beforeEach(() => {
    scorecards();
    writeFileSync(join(folder, 'typo.yaml'), typoMapping);
  });

  it('a dry run with a typo in each.columns says so, once, instead of a bare "would create 10"', async () => {
    const run = await runCli(['assessments', 'scorecards.csv', '-m', 'typo.yaml', '--dry-run'], { cwd: folder });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('would create 10');
    expect(occurrences(run.stderr, alternativeWarning)).toBe(1);
    expect(occurrences(run.stderr, unreadWarning)).toBe(1);
    expect(run.stderr.indexOf(unreadWarning)).toBeLessThan(run.stderr.indexOf('would create 10'));
    expect(run.stderr).toContain('2 mapping warnings, printed before the records were read');

    const json = await runCli(['assessments', 'scorecards.csv', '-m', 'typo.yaml', '--dry-run', '--json'], { cwd: folder });
    const summary = JSON.parse(json.stdout) as { wouldCreate: number; warnings: string[] };
    expect(summary.wouldCreate).toBe(10);
    expect(summary.warnings.map((warning) => `warning: ${warning}`).sort()).toEqual([alternativeWarning, unreadWarning].sort());
  });

  it('the import itself warns before it sends, and its JSON carries the warnings', async () => {
    const run = await runCli(['assessments', 'scorecards.csv', '-m', 'typo.yaml', '--json', '--progress-interval', '1'], { cwd: folder, env: credentialEnv(sandbox.url) });
    expect(run.code).toBe(0);
    expect(occurrences(run.stderr, unreadWarning)).toBe(1);
    expect(run.stderr.indexOf(unreadWarning)).toBeLessThan(run.stderr.indexOf(' start: '));
    const summary = JSON.parse(run.stdout) as { counts: { created: number }; warnings: string[] };
    expect(summary.counts.created).toBe(10);
    expect(summary.warnings).toHaveLength(2);
    // What the warning is about: only the Communication score reached Feishu.
    const titles = sandbox.assessments().flatMap((stored) => (stored.body.assessment_dimension_list as Array<{ title: string }>).map((dimension) => dimension.title));
    expect(new Set(titles)).toEqual(new Set(['Communication']));
  });

  it('migrate warns once per step, before any step sends, and each step\'s JSON carries its warnings', async () => {
    writeFileSync(join(folder, 'clean.yaml'), typoMapping.replace('Tecnical', 'Technical'));
    writeFileSync(join(folder, 'scorecards-again.csv'), 'id,interview,interviewer,verdict,Technical score,Communication score\nS-900,7010000000000000900,lina,pass,4,3\n');
    writeFileSync(
      join(folder, 'plan.yaml'),
      [
        'steps:',
        '  - { name: typo, resource: assessments, input: scorecards.csv, mapping: typo.yaml, log: typo.results.jsonl }',
        '  - { name: clean, resource: assessments, input: scorecards-again.csv, mapping: clean.yaml, log: clean.results.jsonl }',
        '',
      ].join('\n'),
    );
    const run = await runCli(['migrate', 'plan.yaml', '--json'], { cwd: folder, env: credentialEnv(sandbox.url) });
    expect(run.code).toBe(0);
    expect(occurrences(run.stderr, alternativeWarning)).toBe(1);
    expect(occurrences(run.stderr, unreadWarning)).toBe(1);
    expect(run.stderr.indexOf(unreadWarning)).toBeLessThan(run.stderr.indexOf(' start: '));
    const plan = JSON.parse(run.stdout) as { steps: Array<{ step: string; warnings: string[] }> };
    expect(plan.steps.map((step) => [step.step, step.warnings.length])).toEqual([
      ['typo', 2],
      ['clean', 0],
    ]);
  });
});
