/**
 * A mapping's expressions and column patterns are bounded (issue 21): a loop, a runaway recursion, a huge range or a
 * pattern that backtracks refuses its record (or its mapping) with a reason, `preview` and `--dry-run` say so on the
 * first record, and a signal always ends the run. Real subprocesses where signals are the point.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_EXPRESSION_DEPTH, MAX_EXPRESSION_ITEMS, MAX_EXPRESSION_STEPS } from '../../src/limits.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { credentialEnv, credentials, runCli, startCli, stateLog, waitFor, workspace } from '../support/cli.js';

let sandbox: Sandbox;
let folder: string;
let env: Record<string, string>;

beforeEach(async () => {
  sandbox = await startSandbox({ ...credentials, rateLimit: 0 });
  folder = workspace();
  env = credentialEnv(sandbox.url);
});
afterEach(() => sandbox.close());

const LOOP = '($f := function($n){ $f($n + 1) }; $f(0))';
const RECURSION = '($f := function($n){ 1 + $f($n + 1) }; $f(0))';
const RANGE = "$join($map([1..10000000], function($v){ $string($v) }), ',')";

/** An export of `count` rows and a mapping whose content comes from `expr`. */
function writeInput(expr: string, count: number): void {
  const rows = Array.from({ length: count }, (_, n) => `E-${n},6986199832494934316,lina,2`);
  writeFileSync(join(folder, 'export.csv'), ['id,interview,who,verdict', ...rows, ''].join('\n'));
  writeFileSync(
    join(folder, 'export.mapping.yaml'),
    ['fields:', '  external_id: id', '  external_interview_id: interview', '  username: who', '  conclusion: verdict', `  content: { expr: ${JSON.stringify(expr)} }`, ''].join('\n'),
  );
}

describe('an expression past its bounds refuses its record with a reason', () => {
  it.each([
    ['a tail call that becomes a loop', LOOP, `took more than ${MAX_EXPRESSION_STEPS.toLocaleString('en-US')} evaluation steps`],
    ['a recursion that never ends', RECURSION, `nests more than ${MAX_EXPRESSION_DEPTH} levels deep`],
    ['a range of ten million per record', RANGE, `made a sequence of more than ${MAX_EXPRESSION_ITEMS.toLocaleString('en-US')} items`],
  ])('%s: preview and --dry-run say so on the first record', async (_, expr, reason) => {
    writeInput(expr, 3);
    const preview = await runCli(['preview', 'export.csv', '-m', 'export.mapping.yaml', '-n', '1'], { cwd: folder });
    expect(preview.code).toBe(1);
    expect(preview.stdout + preview.stderr).toContain(reason);

    const dryRun = await runCli(['assessments', 'export.csv', '-m', 'export.mapping.yaml', '--dry-run', '--json'], { cwd: folder });
    expect(dryRun.code).toBe(1);
    const summary = JSON.parse(dryRun.stdout) as { counts: Record<string, number>; problems: Array<{ line: number; reason: string }> };
    expect(summary.counts).toMatchObject({ read: 3, invalid: 3 });
    expect(summary.problems[0]).toMatchObject({ line: 2, reason: expect.stringContaining(reason) });
  });
});

describe('a signal during a looping expression', () => {
  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)('%s ends the run with exit 130 and the summary', async (signal) => {
    writeInput(LOOP, 500);
    const cli = startCli(['assessments', 'export.csv', '-m', 'export.mapping.yaml', '--rate', '5000'], { cwd: folder, env });
    // The log exists once the run has begun reading records; every record then loops to its bound.
    await waitFor(() => existsSync(stateLog(folder, sandbox.url)), 'the run to start');
    cli.child.kill(signal);
    const run = await cli.done;

    expect(run.signal).toBeNull();
    expect(run.code).toBe(130);
    expect(run.stderr).toContain(`${signal}: stopping`);
    expect(run.stderr).toMatch(/interrupted/);
    expect(sandbox.stats()).toMatchObject({ created: 0 });
  }, 60_000);
});

describe("a mapping's each.columns pattern", () => {
  /** A wide export whose header has `columns` as score columns, and a mapping reading them with `pattern`. */
  function writeWide(pattern: string, columns: string[]): void {
    writeFileSync(join(folder, 'wide.csv'), [['id', 'interview', ...columns].join(','), ['W-1', '6986199832494934316', ...columns.map(() => '4')].join(','), ''].join('\n'));
    writeFileSync(
      join(folder, 'wide.mapping.yaml'),
      ['fields:', '  external_id: id', '  external_interview_id: interview', 'dimensions:', `  - each: { columns: ${JSON.stringify(pattern)} }`, '    type: score', '    title: title', '    answer: value', ''].join('\n'),
    );
  }

  it('that backtracks catastrophically in a backtracking engine answers at once against an 80-character header name', async () => {
    const long = `${'a'.repeat(80)}!`;
    writeWide('^(?<title>([a-z]+_?)+)_score$', ['coding_score', 'design_score', long]);
    const preview = await runCli(['preview', 'wide.csv', '-m', 'wide.mapping.yaml'], { cwd: folder });
    expect(preview.code).toBe(0);
    const body = JSON.parse(preview.stdout.replace(/^line 2:\n/, '')) as { assessment_dimension_list: Array<{ title: string }> };
    expect(body.assessment_dimension_list.map((dimension) => dimension.title)).toEqual(['coding', 'design']);

    const dryRun = await runCli(['assessments', 'wide.csv', '-m', 'wide.mapping.yaml', '--dry-run', '--json'], { cwd: folder });
    expect(dryRun.code).toBe(0);
    expect(JSON.parse(dryRun.stdout).counts).toMatchObject({ read: 1, invalid: 0 });
  }, 60_000);

  it('that only a backtracking engine can match (a lookahead) is refused with the reason, before anything is read', async () => {
    writeWide('^(?!total)(?<title>.+)_score$', ['coding_score', 'total_score']);
    const run = await runCli(['preview', 'wide.csv', '-m', 'wide.mapping.yaml'], { cwd: folder });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('dimensions[0].each.columns');
    expect(run.stderr).toContain('no lookarounds or backreferences');
  });
});
