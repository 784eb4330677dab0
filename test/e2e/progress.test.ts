/**
 * Progress and colour where stderr is not a terminal (cron, CI, a pipe): plain lines, each with a timestamp, the
 * first naming the target, input, log and total; colour only when asked for with FORCE_COLOR, and never with
 * --no-color.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, workspace } from '../support/cli.js';
import { writeAssessmentsCsv } from '../support/generate.js';

const isoSecond = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`;

describe('progress in a log', () => {
  it('starts with a line naming the target, input, log and total; every progress line carries a timestamp', async () => {
    const folder = workspace();
    writeAssessmentsCsv(join(folder, 'export.csv'), 30);
    // 30 records at 15 a second: at least two seconds, so at least one line at the one-second floor.
    const run = await runCli(['assessments', 'export.csv', '--sandbox', '--rate', '15', '--progress-interval', '1'], { cwd: folder });
    expect(run.code).toBe(0);
    const lines = run.stderr.split('\n');
    const start = lines.findIndex((line) => line.includes('start:'));
    expect(lines[start]).toMatch(
      new RegExp(`^${isoSecond} start: assessments from export\\.csv into http://127\\.0\\.0\\.1:\\d+ \\(app cli_sandbox\\) · log hire-import-state/sandbox/assessments\\.results\\.jsonl · 30 records$`),
    );
    const progress = lines.filter((line) => line.includes('progress:'));
    expect(progress.length).toBeGreaterThan(0);
    for (const line of progress) expect(line).toMatch(new RegExp(`^${isoSecond} progress: \\d+/30 \\(\\d+%\\) · \\d+\\.\\d/s · `));
    expect(lines.slice(0, start).join('\n')).not.toContain('progress:'); // the start line comes first
    expect(run.stderr).not.toContain('\x1b');
  });

  it('refuses a --progress-interval under one second with exit 2, before anything is sent', async () => {
    const folder = workspace('fixtures/assessments.csv');
    const run = await runCli(['assessments', 'assessments.csv', '--sandbox', '--progress-interval', '0.5'], { cwd: folder });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--progress-interval must be at least 1 second, got 0.5');
  });

  it('--quiet prints no progress, only the summary', async () => {
    const folder = workspace('fixtures/assessments.csv');
    const run = await runCli(['assessments', 'assessments.csv', '--sandbox', '--quiet'], { cwd: folder });
    expect(run.code).toBe(0);
    expect(run.stderr).not.toContain('start:');
    expect(run.stderr).toContain('created 7');
  });
});

describe('colour on a pipe', () => {
  const args = ['assessments', 'assessments-with-errors.csv', '--sandbox', '--quiet'];

  it('none by default; FORCE_COLOR forces it (even over NO_COLOR); --no-color, anywhere on the line, wins', async () => {
    const folder = workspace('fixtures/assessments-with-errors.csv');
    const plain = await runCli(args, { cwd: folder, env: { NO_COLOR: undefined } });
    const forced = await runCli(args, { cwd: folder, env: { FORCE_COLOR: '1' } }); // runCli sets NO_COLOR=1
    const refused = await runCli([...args, '--no-color'], { cwd: folder, env: { FORCE_COLOR: '1' } });
    const refusedFirst = await runCli(['--no-color', ...args], { cwd: folder, env: { FORCE_COLOR: '1' } });
    for (const run of [plain, forced, refused, refusedFirst]) expect(run.stderr).toContain('invalid 3');
    expect(plain.stderr).not.toContain('\x1b');
    expect(forced.stderr).toContain('\x1b[31minvalid 3\x1b[39m');
    expect(refused.stderr).not.toContain('\x1b');
    expect(refusedFirst.stderr).not.toContain('\x1b');
  });

  it('colours an error line only where asked', async () => {
    const folder = workspace();
    const forced = await runCli(['assessments', 'missing.csv'], { cwd: folder, env: { FORCE_COLOR: '1', NO_COLOR: undefined } });
    expect(forced.code).toBe(2);
    expect(forced.stderr).toBe('\x1b[31mhire-import:\x1b[39m missing.csv: no such file\n');
    const plain = await runCli(['assessments', 'missing.csv'], { cwd: folder });
    expect(plain.stderr).toBe('hire-import: missing.csv: no such file\n');
  });
});
