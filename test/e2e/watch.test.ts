/**
 * Watching a run and reading its failures (issue 11), end to end through the real CLI against the sandbox:
 * `status PLAN` reads every step's log, a failed log line keeps Feishu's `x-tt-logid`, and the status groups
 * server failures by reason with their lines.
 */
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/server.js';
import { credentialEnv, credentials, readLog, runCli, runCliProcess, sandboxLog, stateLog, waitFor, workspace } from '../support/cli.js';
import { writeAssessmentsCsv } from '../support/generate.js';
import { liveFrames, startInTerminal } from '../support/terminal.js';

const sandboxes: Sandbox[] = [];
afterEach(async () => {
  for (const sandbox of sandboxes.splice(0)) await sandbox.close();
});

async function sandboxOn(options: SandboxOptions = {}): Promise<Sandbox> {
  const sandbox = await startSandbox({ ...credentials, seed: 5, rateLimit: 0, ...options });
  sandboxes.push(sandbox);
  return sandbox;
}

/** The sandbox's request log ids: a timestamp to the second and 20 hex digits, like Feishu's. */
const feishuLogId = /^\d{14}[0-9A-F]{20}$/;

describe('failed records, for a support ticket', () => {
  it("keeps Feishu's request log id (x-tt-logid) in a failed record's log line; status groups the failure with its line", async () => {
    const sandbox = await sandboxOn({ failExternalIds: ['R-2'] });
    const folder = workspace();
    writeAssessmentsCsv(join(folder, 'export.csv'), 4);
    const run = await runCli(['assessments', 'export.csv', '--retries', '1', '--quiet'], { cwd: folder, env: credentialEnv(sandbox.url) });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/\n {4}\(server\): 1002001: .* — 1 record, line 4\n/); // the summary's group
    const log = stateLog(folder, sandbox.url);
    const failed = readLog(log).filter((entry) => entry.status === 'failed');
    expect(failed).toEqual([expect.objectContaining({ external_id: 'R-2', code: 1002001, attempts: 2, line: 4, logId: expect.stringMatching(feishuLogId) })]);
    const created = readLog(log).filter((entry) => entry.status === 'created');
    expect(created.map((entry) => entry.logId)).toEqual([undefined, undefined, undefined]); // only failures carry it

    const status = await runCli(['status', '--json'], { cwd: folder }); // the one log in the state folder
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      counts: { created: 3, failed: 1, invalid: 0 },
      problemGroups: [{ field: '(server)', reason: expect.stringMatching(/^1002001: /), count: 1, lines: [4] }],
    });
  });
});

describe('hire-import status PLAN', () => {
  const fixture = readdirSync(join('fixtures', 'migration')).filter((name) => name !== 'README.md');

  it("reads every step's log where migrate keeps it: not started before the run, counts and reasons after", async () => {
    const sandbox = await sandboxOn({ parentChecks: 'always' });
    const folder = workspace(...fixture.map((name) => `fixtures/migration/${name}`));

    // The state of the target the environment names (FEISHU_APP_ID, FEISHU_BASE_URL), as the import's.
    const state = stateLog(folder, sandbox.url, 'x').slice(folder.length + 1, -'x.results.jsonl'.length);
    const before = await runCli(['status', 'migration.yaml'], { cwd: folder, env: credentialEnv(sandbox.url) });
    expect(before.code).toBe(0);
    expect(before.stdout.split('\n').slice(0, 3)).toEqual([
      'migration.yaml: 0 of 6 steps started',
      `talents: not started (no ${state}talents.results.jsonl yet)`,
      `applications: not started (no ${state}applications.results.jsonl yet)`,
    ]);

    const migrate = await runCli(['migrate', 'migration.yaml', '--rate', '200', '--quiet'], { cwd: folder, env: credentialEnv(sandbox.url) });
    expect(migrate.code).toBe(1); // the fixture's interview without an application, and its assessment, are blocked

    // No environment: the one target whose state is here.
    const json = await runCli(['status', 'migration.yaml', '--json'], { cwd: folder });
    expect(json.code).toBe(0);
    const plan = JSON.parse(json.stdout) as { plan: string; steps: Array<Record<string, unknown>> };
    expect(plan.plan).toBe('migration.yaml');
    expect(plan.steps.map((step) => [step.step, step.started, step.log, step.records, step.total, (step.counts as Record<string, number>).blocked])).toEqual([
      ['talents', true, `${state}talents.results.jsonl`, 8, 8, 0],
      ['applications', true, `${state}applications.results.jsonl`, 9, 9, 0],
      ['interviews', true, `${state}interviews.results.jsonl`, 9, 9, 1],
      ['assessments', true, `${state}assessments.results.jsonl`, 9, 9, 1],
      ['offers', true, `${state}offers.results.jsonl`, 4, 4, 0],
      ['background-checks', true, `${state}background-checks.results.jsonl`, 3, 3, 0],
    ]);
    expect(plan.steps[2]!.problemGroups).toEqual([expect.objectContaining({ field: 'external_application_id', count: 1, lines: [10] })]);

    const text = await runCli(['status', 'migration.yaml'], { cwd: folder });
    const lines = text.stdout.split('\n');
    expect(lines[0]).toBe('migration.yaml: 6 of 6 steps started');
    expect(lines).toContain(`interviews: ${state}interviews.results.jsonl: 9 records (done) from interviews.csv`);
    expect(lines).toContain('  created 8 · failed 0 · invalid 0 · blocked 1');
    expect(lines.some((line) => /^ {4}external_application_id: parent 'A2099' not found in step applications .* — 1 record, line 10$/.test(line))).toBe(true);

    // A rehearsal's logs are others: none here.
    const rehearsal = await runCli(['status', 'migration.yaml', '--sandbox'], { cwd: folder });
    expect(rehearsal.stdout.split('\n')[1]).toBe(`talents: not started (no ${sandboxLog(folder, 'talents').slice(folder.length + 1)} yet)`);
  });

  it('refuses --mapping with a plan (the plan names each mapping) and --sandbox with one log: exit 2', async () => {
    const folder = workspace(...fixture.map((name) => `fixtures/migration/${name}`));
    const mapping = await runCli(['status', 'migration.yaml', '-m', 'talents.yaml', '--json'], { cwd: folder });
    expect(mapping.code).toBe(2);
    expect(JSON.parse(mapping.stdout)).toEqual({ ok: false, exitCode: 2, error: { kind: 'UsageError', message: '--mapping is for one result log; a plan names the mapping of every step' } });
    const sandbox = await runCli(['status', 'x.results.jsonl', '--sandbox'], { cwd: folder });
    expect(sandbox.code).toBe(2);
    expect(sandbox.stderr).toBe('hire-import: --sandbox is for a plan: a result log is read wherever it is\n');
  });
});

describe('the end summary', () => {
  it('groups 40 refused records by reason, with counts and their first lines, instead of listing rows', async () => {
    const folder = workspace();
    writeAssessmentsCsv(join(folder, 'export.csv'), 45);
    // Records 1 to 30 get a conclusion that is not one (each a different value), 31 to 40 lose their interview id.
    const [header, ...rows] = readFileSync(join(folder, 'export.csv'), 'utf8').trimEnd().split('\n');
    const broken = rows.map((row, n) => {
      const cells = row.split(',');
      if (n >= 1 && n <= 30) cells[3] = `maybe${n}`;
      else if (n >= 31 && n <= 40) cells[1] = '';
      return cells.join(',');
    });
    writeFileSync(join(folder, 'export.csv'), `${[header, ...broken].join('\n')}\n`);
    const run = await runCli(['assessments', 'export.csv', '--dry-run', '--json'], { cwd: folder });
    expect(run.code).toBe(1);
    const problems = run.stderr.slice(run.stderr.indexOf('  problems, by reason:\n')).split('\n').slice(1, 3);
    expect(problems).toEqual([
      expect.stringMatching(/^ {4}conclusion: '…' is not one of .* \(e\.g\. 'maybe1', 'maybe2', .*\) — 30 records, lines 3, 4, 5, 6, 7, …$/),
      '    external_interview_id: is required — 10 records, lines 33, 34, 35, 36, 37, …',
    ]);
    expect(run.stderr).not.toContain('line 8,'); // no row-by-row listing
    const summary = JSON.parse(run.stdout) as { problemGroups: Array<{ field: string; count: number; lines: number[] }> };
    expect(summary.problemGroups.map(({ field, count, lines }) => ({ field, count, lines }))).toEqual([
      { field: 'conclusion', count: 30, lines: [3, 4, 5, 6, 7] },
      { field: 'external_interview_id', count: 10, lines: [33, 34, 35, 36, 37] },
    ]);
  });
});

describe('progress of a resume', () => {
  it('counts only records sent in the rate: a rerun that skips 300 known records shows the paced rate, not hundreds a second', async () => {
    const sandbox = await sandboxOn();
    const folder = workspace();
    const env = credentialEnv(sandbox.url);
    writeAssessmentsCsv(join(folder, 'export.csv'), 300);
    expect((await runCli(['assessments', 'export.csv', '--rate', '500', '--quiet'], { cwd: folder, env })).code).toBe(0);
    // 12 new records at 4 a second: three seconds of sending after an instant of skipping.
    const more = readFileSync(join(folder, 'export.csv'), 'utf8').split('\n').slice(1, 13).map((row) => row.replace(/^R-/, 'N-'));
    appendFileSync(join(folder, 'export.csv'), `${more.join('\n')}\n`);
    const rerun = await runCli(['assessments', 'export.csv', '--rate', '4', '--progress-interval', '1'], { cwd: folder, env });
    expect(rerun.code).toBe(0);
    expect(rerun.stderr).toMatch(/created 12 · skipped 300/);
    const rates = [...rerun.stderr.matchAll(/progress: \d+\/312 \(\d+%\) · ([\d.]+)\/s/g)].map((match) => Number(match[1]));
    expect(rates.length).toBeGreaterThan(0);
    // Counting the 300 skipped would show 100/s or more at the first line; sends paced at 4/s never pass 20/s.
    for (const rate of rates) expect(rate).toBeLessThan(20);
  });
});

describe('--max-errors as a share', () => {
  it('stops once new errors pass 5% (judged over at least 100 records), and not under a share they stay within', async () => {
    const folder = workspace();
    writeAssessmentsCsv(join(folder, 'export.csv'), 300);
    // Every tenth record (0, 10, 20, ...) gets a conclusion that is not one: 10% of them invalid.
    const [header, ...rows] = readFileSync(join(folder, 'export.csv'), 'utf8').trimEnd().split('\n');
    const broken = rows.map((row, n) => (n % 10 === 0 ? row.replace(/^([^,]*,[^,]*,[^,]*),\d,/, '$1,maybe,') : row));
    writeFileSync(join(folder, 'export.csv'), `${[header, ...broken].join('\n')}\n`);
    const stopped = await runCli(['assessments', 'export.csv', '--dry-run', '--max-errors', '5%', '--json'], { cwd: folder });
    expect(stopped.code).toBe(1);
    // 5% of 100 allows 5; the sixth, record 50, is read 51st.
    expect(JSON.parse(stopped.stdout)).toMatchObject({ stoppedEarly: 'reached --max-errors 5%: 6 of 51 records read were invalid or failed anew', counts: { read: 51, invalid: 6 } });
    const within = await runCli(['assessments', 'export.csv', '--dry-run', '--max-errors', '15%', '--json'], { cwd: folder });
    expect(JSON.parse(within.stdout)).toMatchObject({ stoppedEarly: null, counts: { read: 300, invalid: 30 } });
  });
});

describe.runIf(process.platform === 'linux')('the live line on a terminal', () => {
  it('fits the width the terminal has now: narrowed mid-run, the next lines are cut to the new width', async () => {
    const folder = workspace();
    writeAssessmentsCsv(join(folder, 'export.csv'), 200);
    const run = startInTerminal(['assessments', 'export.csv', '--sandbox', '--rate', '10'], { cwd: folder, columns: 120 });
    // Wider than the terminal will be: the full line, with room for it.
    await waitFor(() => liveFrames(run.outputSoFar()).some((frame) => frame.includes('/200') && [...frame].length > 45 && !frame.endsWith('…')), 'a wide live line');
    run.resize(40);
    // Frames drawn before the SIGWINCH arrives may still be wide: judge those drawn after a later redraw.
    const drawn = run.outputSoFar().length;
    await waitFor(() => liveFrames(run.outputSoFar().slice(drawn)).filter((frame) => frame.includes('/200')).length >= 6, 'lines after the resize');
    const settled = run.outputSoFar().length;
    await waitFor(() => liveFrames(run.outputSoFar().slice(settled)).filter((frame) => frame.includes('/200')).length >= 4, 'more lines');
    run.type('\x03');
    const result = await run.done;
    run.close();
    expect(result.code).toBe(130);
    const narrow = liveFrames(result.output.slice(settled)).filter((frame) => frame.includes('/200'));
    expect(narrow.length).toBeGreaterThan(0);
    for (const frame of narrow) expect([...frame].length).toBeLessThan(40);
    expect(narrow.some((frame) => frame.endsWith('…'))).toBe(true);
  });
});

describe('a bug', () => {
  it('that nothing caught mid-run exits 70 with a request for a bug report, and --json still answers with one object', async () => {
    const sandbox = await sandboxOn({ latencyMs: 200 });
    const folder = workspace();
    writeAssessmentsCsv(join(folder, 'export.csv'), 100);
    // A bug planted in the process, thrown from a timer once the log holds an outcome: no command's catch sees it.
    const bug = join(folder, 'bug.mjs');
    writeFileSync(
      bug,
      [
        "import { existsSync, readFileSync } from 'node:fs';",
        "setInterval(() => { if (existsSync('export.results.jsonl') && readFileSync('export.results.jsonl', 'utf8').includes('\"created\"')) throw new TypeError('planted bug'); }, 20).unref();",
      ].join('\n'),
    );
    // A real process: the bug is planted in it, and nothing caught ends the process.
    const run = await runCliProcess(['assessments', 'export.csv', '--rate', '10', '--json', '--log', 'export.results.jsonl'], {
      cwd: folder,
      env: { ...credentialEnv(sandbox.url), NODE_OPTIONS: `--import=${bug}` },
    });
    expect(run.code).toBe(70);
    expect(JSON.parse(run.stdout)).toEqual({ ok: false, exitCode: 70, error: { kind: 'TypeError', message: 'planted bug' } });
    expect(run.stderr).toContain('hire-import: planted bug\nthis is a bug in hire-import; please report it with DEBUG=1 output\n');
    expect(run.stderr).not.toMatch(/^\s+at /m); // no stack trace without DEBUG=1
    expect(sandbox.stats().created).toBeGreaterThan(0); // it was mid-run
  });
});
