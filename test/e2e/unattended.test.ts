/**
 * An import left to run unattended (issue 11), end to end: the real CLI as a subprocess against the sandbox or a
 * small fake server on 127.0.0.1. Outages pause and probe instead of failing records; --json answers with exactly
 * one object however the run ends; system errors come with a hint and the right exit code; SIGHUP ends a run like
 * Ctrl-C; --max-duration stops on purpose; --max-errors counts only new errors. No timings are asserted: a wrong
 * build fails by its result or by the test's timeout.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assessments } from '../../src/endpoints/assessments.js';
import { tokenPath } from '../../src/endpoints/registry.js';
import { readBody, sendJson } from '../../src/sandbox/http.js';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/server.js';
import { credentialEnv, credentials, readLog, runCli, startCli, stateLog, workspace, type CliRun } from '../support/cli.js';
import { writeAssessmentsCsv } from '../support/generate.js';
import { liveFrames, startInTerminal } from '../support/terminal.js';

const sandboxes: Sandbox[] = [];
let fake: Server | undefined;
afterEach(async () => {
  for (const sandbox of sandboxes.splice(0)) await sandbox.close();
  fake?.closeAllConnections();
  await new Promise((resolve) => (fake ? fake.close(resolve) : resolve(undefined)));
  fake = undefined;
});

async function sandboxOn(options: SandboxOptions = {}): Promise<Sandbox> {
  const sandbox = await startSandbox({ ...credentials, seed: 5, rateLimit: 0, ...options });
  sandboxes.push(sandbox);
  return sandbox;
}

async function setup(count: number, options: SandboxOptions = {}) {
  const sandbox = await sandboxOn(options);
  const folder = workspace();
  const ids = writeAssessmentsCsv(join(folder, 'export.csv'), count);
  return { sandbox, folder, ids, env: credentialEnv(sandbox.url), logPath: stateLog(folder, sandbox.url), rejectsPath: join(folder, 'export.rejects.csv') };
}

const header = 'external_id,external_interview_id,username,conclusion,content,dim1_type,dim1_title,dim1_score,dim2_type,dim2_title,dim2_content';
/** A default-layout row; `conclusion: 'maybe'` makes it invalid. */
function row(id: string, n: number, conclusion = String((n % 3) + 1), content = `notes for ${id}`): string {
  return `${id},69861998324949${String(n).padStart(5, '0')},interviewer${n % 7},${conclusion},"${content}",score,Coding,${n % 5},text,Summary,"fine, ${n}"`;
}

/** The external_ids logged under each status, sorted: concurrent answers are logged in any order. */
function statuses(logPath: string): Record<string, string[]> {
  const byStatus: Record<string, string[]> = {};
  for (const entry of readLog(logPath)) (byStatus[String(entry.status)] ??= []).push(String(entry.external_id));
  for (const ids of Object.values(byStatus)) ids.sort();
  return byStatus;
}

/** Outcomes logged so far (intent lines aside); a line the import is still writing is not counted yet. */
function logLines(path: string): number {
  if (!existsSync(path)) return 0;
  const text = readFileSync(path, 'utf8');
  const complete = text.slice(0, text.lastIndexOf('\n') + 1).split('\n').filter(Boolean);
  return complete.filter((line) => (JSON.parse(line) as { status?: string }).status !== 'sending').length;
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The one JSON object on stdout; fails the test if there is anything else (a second object, stray text). */
function onlyObject(run: CliRun): Record<string, unknown> {
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

const stackTrace = /node:internal|^\s+at /m;

describe('outages', () => {
  // Down for 2 s: longer than the first probe's second, so a probe finds nothing and the next one the sandbox back.
  it('rides out a sandbox that is down for 2 s mid-run: every record created, none failed, no rejects file', async () => {
    const stateFile = join(workspace(), 'feishu.jsonl'); // the records outlive the sandbox, as Feishu's would
    // 40 records: the outage comes after 20 results, with some 20 still to send once the sandbox is back.
    const { sandbox, folder, ids, env, logPath, rejectsPath } = await setup(40, { stateFile });
    // Two tries per record: without the pause, two seconds of refused connections would fail every record in flight.
    const run = startCli(['assessments', 'export.csv', '--rate', '20', '--retries', '1', '--json'], { cwd: folder, env });
    await waitFor(() => logLines(logPath) >= 20, 'the first results');
    await sandbox.close();
    sandboxes.splice(sandboxes.indexOf(sandbox), 1);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const again = await sandboxOn({ port: sandbox.port, stateFile });
    const result = await run.done;

    expect(result.code).toBe(0);
    const summary = onlyObject(result);
    expect(summary).toMatchObject({ ok: true, outages: 1, counts: { read: 40, created: 40, failed: 0 }, pending: 0, rejects: null });
    expect(statuses(logPath)).toEqual({ created: expect.any(Array) });
    expect(new Set(statuses(logPath).created)).toEqual(new Set(ids));
    expect(existsSync(rejectsPath)).toBe(false);
    expect(again.records('assessments').length).toBe(40); // the state file holds both sandboxes' records: none twice
    expect(result.stderr).toMatch(/Feishu could not be reached 1 time, [\d.]+s in all: sending paused and probed/);
    // A watcher of the plain lines (cron, CI) sees the pause and the resume, each on a timestamped line of its own.
    const stamp = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ';
    const paused = new RegExp(`^${stamp} Feishu unreachable since \\d\\d:\\d\\d:\\d\\d UTC \\([\\d.ms]+\\): sending paused, probing with one request 1s, 2s, 4s \\.\\.\\. at most 1m apart; stops after --max-outage 15m$`, 'm');
    const resumed = new RegExp(`^${stamp} Feishu answers again after [\\d.ms]+: sending resumed$`, 'm');
    expect(result.stderr).toMatch(paused);
    expect(result.stderr).toMatch(resumed);
    expect(result.stderr.search(paused)).toBeLessThan(result.stderr.search(resumed));
  }, 60_000);

  it('shows the pause on the live line of a terminal, and says when sending resumed', async () => {
    const stateFile = join(workspace(), 'feishu.jsonl');
    // 40 records, as above: 20 before the outage, some 20 after it (at --rate 20, a second each side).
    const { sandbox, folder, env, logPath } = await setup(40, { stateFile });
    const run = startInTerminal(['assessments', 'export.csv', '--rate', '20'], { cwd: folder, columns: 200, env });
    await waitFor(() => logLines(logPath) >= 20, 'the first results');
    await sandbox.close();
    sandboxes.splice(sandboxes.indexOf(sandbox), 1);
    const paused = /^paused: Feishu unreachable since \d\d:\d\d:\d\d UTC \([\d.ms]+\), next probe in [\d.ms]+ · \d+\/40/;
    await waitFor(() => liveFrames(run.outputSoFar()).some((frame) => paused.test(frame.replace(/^\S+ /, ''))), 'the paused live line');
    await sandboxOn({ port: sandbox.port, stateFile });
    const result = await run.done;
    run.close();

    expect(result.code).toBe(0);
    expect(result.output).toMatch(/Feishu unreachable since \d\d:\d\d:\d\d UTC \([\d.ms]+\): sending paused/);
    expect(result.output).toMatch(/Feishu answers again after [\d.ms]+: sending resumed/);
    expect(statuses(logPath)).toEqual({ created: expect.any(Array) });
  }, 60_000);

  it('stops cleanly after --max-outage 3s against a dead port: exit 69, the summary, nothing failed', async () => {
    const { sandbox, folder, env, logPath, rejectsPath } = await setup(100);
    const run = startCli(['assessments', 'export.csv', '--rate', '20', '--max-outage', '3s', '--json'], { cwd: folder, env });
    await waitFor(() => logLines(logPath) >= 10, 'the first results');
    await sandbox.close();
    sandboxes.splice(0);
    const result = await run.done;

    expect(result.code).toBe(69);
    expect(result.stderr).toMatch(/hire-import: Feishu could not be reached for 3s: every request failed \(the last: .*ECONNREFUSED.*\).*run the same command again to continue/);
    expect(result.stderr).toMatch(/✖ assessments: \d+ records from export\.csv/);
    expect(result.stderr).toMatch(/not sent \d+/);
    const summary = onlyObject(result);
    expect(summary).toMatchObject({ ok: false, exitCode: 69, outages: 1, counts: { failed: 0 }, error: { kind: 'ServiceUnavailableError' } });
    const counts = summary.counts as Record<string, number>;
    expect(counts.created + (summary.pending as number)).toBe(counts.read);
    expect(Object.keys(statuses(logPath))).toEqual(['created']);
    expect(existsSync(rejectsPath)).toBe(false);
    expect(result.stderr).not.toMatch(stackTrace);
    expect(result.stderr).not.toContain('Warning');
  }, 60_000);

  it("logs a record the server keeps failing as failed (retried next run) but keeps only records to fix in the rejects file", async () => {
    const folder = workspace();
    writeFileSync(join(folder, 'export.csv'), `${[header, row('R-0', 0), row('R-1', 1), row('R-2', 2), row('R-3', 3, 'maybe'), row('R-4', 4)].join('\n')}\n`);
    // A fake Feishu: R-1 is refused for its content (1002002), R-2 meets a server error every time.
    fake = createServer(async (request, response) => {
      const body = await readBody(request);
      if (request.url === tokenPath) return sendJson(response, 200, { code: 0, msg: 'ok', tenant_access_token: 't-fake', expire: 7200 });
      const externalId = (JSON.parse(body) as { external_id: string }).external_id;
      if (externalId === 'R-1') return sendJson(response, 400, { code: 1002002, msg: 'invalid parameter: content' });
      if (externalId === 'R-2') return sendJson(response, 500, { code: 1002001, msg: 'system error' });
      sendJson(response, 200, { code: 0, msg: 'success', data: { external_interview_assessment: { id: `7-${externalId}` } } });
    });
    await new Promise<void>((resolve) => fake!.listen(0, '127.0.0.1', resolve));
    const baseUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
    const env = credentialEnv(baseUrl);
    expect(assessments.create.path).not.toBe(tokenPath);

    const run = await runCli(['assessments', 'export.csv', '--retries', '1', '--json'], { cwd: folder, env });
    expect(run.code).toBe(1);
    expect(onlyObject(run)).toMatchObject({ counts: { created: 2, invalid: 1, failed: 2 }, retryable: 1, outages: 0, rejects: 'export.rejects.csv' });
    expect(statuses(stateLog(folder, baseUrl))).toEqual({ created: ['R-0', 'R-4'], failed: ['R-1', 'R-2'], invalid: ['R-3'] });
    // need fixing; R-2 does not, and a rerun sends it again.
    const kept = parseCsv(readFileSync(join(folder, 'export.rejects.csv')), { columns: true }) as Array<Record<string, string>>;
    expect(kept.map((rejected) => [rejected.external_id, rejected.hire_import_error]).sort()).toEqual([
      ['R-1', 'invalid parameter: content'],
      ['R-3', expect.stringMatching(/^conclusion: 'maybe' is not one of/)],
    ]);
    expect(run.stderr).toContain('1 failed on the server or the network, not on their content (they are not in the rejects file): run the same command again to retry them');
  });
});

describe('--json: exactly one object on stdout however the run ends', () => {
  // One sandbox and folder for the whole table, kept apart from the ones each other test closes.
  let shared: { sandbox: Sandbox; folder: string; env: Record<string, string> };
  beforeAll(async () => {
    const sandbox = await startSandbox({ ...credentials, seed: 5, rateLimit: 0 });
    const folder = workspace();
    writeAssessmentsCsv(join(folder, 'export.csv'), 3);
    writeFileSync(join(folder, 'bad.csv'), `${header}\n${row('B-0', 0)}\n${row('B-1', 1, 'maybe')}\n`);
    writeFileSync(join(folder, 'locked.csv'), `${header}\n${row('L-0', 0)}\n`);
    writeFileSync(join(folder, 'locked.results.jsonl'), '');
    shared = { sandbox, folder, env: credentialEnv(sandbox.url) };
  });
  afterAll(() => shared.sandbox.close());
  // A fresh lock, made just before the run (one older than 30 s is stale): another import is writing.
  const lockedByAnother = () => mkdirSync(join(shared.folder, 'locked.results.jsonl.lock'));

  const table: Array<{ name: string; args: string[]; env?: Record<string, string>; before?: () => void; code: number; object: Record<string, unknown> }> = [
    { name: 'a good run', args: ['assessments', 'export.csv'], code: 0, object: { ok: true, exitCode: 0, counts: expect.objectContaining({ created: 3 }) } },
    { name: 'an invalid record', args: ['assessments', 'bad.csv'], code: 1, object: { ok: false, exitCode: 1, counts: expect.objectContaining({ created: 1, invalid: 1 }) } },
    { name: 'a dry run', args: ['assessments', 'export.csv', '--dry-run'], code: 0, object: { ok: true, exitCode: 0, dryRun: true } },
    { name: 'an unknown option (commander)', args: ['assessments', 'export.csv', '--bogus'], code: 2, object: { ok: false, exitCode: 2, error: { kind: 'UsageError', message: "unknown option '--bogus'" } } },
    {
      name: 'an option value commander refuses',
      args: ['assessments', 'export.csv', '--max-duration', '6'],
      code: 2,
      object: { ok: false, exitCode: 2, error: { kind: 'UsageError', message: expect.stringContaining("'--max-duration <duration>' argument '6' is invalid") } },
    },
    {
      name: 'a --max-duration longer than a timer can wait',
      args: ['assessments', 'export.csv', '--max-duration', '700h'],
      code: 2,
      object: { ok: false, exitCode: 2, error: { kind: 'UsageError', message: '--max-duration must be at most 596h' } },
    },
    { name: 'an unknown command', args: ['assessment', 'export.csv'], code: 2, object: { ok: false, exitCode: 2, error: { kind: 'UsageError', message: expect.stringContaining("unknown command 'assessment'") } } },
    { name: 'an input that does not exist', args: ['assessments', 'nope.csv'], code: 2, object: { ok: false, exitCode: 2, error: { kind: 'UsageError', message: 'nope.csv: no such file' } } },
    {
      name: 'no credentials',
      args: ['assessments', 'export.csv'],
      env: { FEISHU_APP_ID: '', FEISHU_APP_SECRET: '' },
      code: 2,
      object: { ok: false, exitCode: 2, error: { kind: 'ConfigError', message: expect.stringContaining('FEISHU_APP_ID is not set') } },
    },
    {
      name: 'a log folder that does not exist',
      args: ['assessments', 'export.csv', '--log', 'missing/export.results.jsonl'],
      code: 2,
      object: {
        ok: false,
        exitCode: 2,
        error: { kind: 'UsageError', message: 'cannot create the result log in missing/: the folder does not exist; create it, or pass --log FILE to keep it elsewhere' },
      },
    },
    {
      name: 'a --base-url with a path',
      args: ['assessments', 'export.csv', '--base-url', 'https://open.feishu.cn/open-apis/hire/v1'],
      env: { FEISHU_BASE_URL: '' },
      code: 2,
      object: { ok: false, exitCode: 2, error: { kind: 'UsageError', message: expect.stringContaining("--base-url must be the API's address only") } },
    },
    {
      name: 'a host that never answers',
      args: ['assessments', 'export.csv'],
      env: { FEISHU_BASE_URL: 'http://127.0.0.1:9' },
      code: 69,
      object: { ok: false, exitCode: 69, error: { kind: 'ServiceUnavailableError', message: expect.stringMatching(/^no token from http:\/\/127\.0\.0\.1:9 after 3 tries: .*ECONNREFUSED.*; check --base-url/) } },
    },
    { name: 'a log another import holds', args: ['assessments', 'locked.csv', '--log', 'locked.results.jsonl'], before: lockedByAnother, code: 75, object: { ok: false, exitCode: 75, error: { kind: 'LockedError', message: expect.stringContaining('is writing locked.results.jsonl') } } },
  ];

  it.each(table)('$name: exit $code', async ({ args, env: extra, before, code, object }) => {
    before?.();
    const run = await runCli([...args, '--json'], { cwd: shared.folder, env: { ...shared.env, ...extra } });
    expect(run.code).toBe(code);
    expect(onlyObject(run)).toMatchObject(object);
    expect(run.stderr).not.toMatch(stackTrace);
  });
});

describe('system errors become hints', () => {
  it('a folder the user cannot write, for the log or for the rejects file: exit 2 and what to do, nothing sent', async () => {
    const { sandbox, folder, env } = await setup(3);
    const writable = workspace();
    // As root every folder is writable: run without the capabilities that override file modes, as a user without
    // rights would. (Not as nobody: a clone inside a private folder, as `mktemp -d` makes, would be unreadable.)
    const asUser = process.getuid?.() === 0 ? (cli: string) => `exec setpriv --bounding-set=-dac_override,-dac_read_search ${cli}` : undefined;
    chmodSync(folder, 0o555);
    const run = await runCli(['assessments', 'export.csv'], { cwd: folder, env, shell: asUser });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`hire-import: cannot create the result log in ./: no permission to create files in that folder; make it writable, or pass --log FILE to keep it elsewhere`);
    // The log elsewhere, the rejects file still beside the input: said before anything is sent, not at the first reject.
    const rejects = await runCli(['assessments', 'export.csv', '--log', join(writable, 'export.results.jsonl')], { cwd: folder, env, shell: asUser });
    expect(rejects.code).toBe(2);
    expect(rejects.stderr).toContain(
      'hire-import: cannot create the rejects file in ./: no permission to create files in that folder; make it writable, or copy the input to a folder you can write: the rejects file goes next to it',
    );
    expect(sandbox.stats().created).toBe(0);
  });

  it('a rejects file the disk cannot take (ulimit -f): exit 74 naming the file, after the summary', async () => {
    const { folder, env } = await setup(0);
    // Invalid rows of 6 KB each fill 8 KiB of rejects file long before their short log lines fill 8 KiB of log.
    const rows = Array.from({ length: 40 }, (_, n) => row(`X-${n}`, n, 'maybe', 'x'.repeat(6000)));
    writeFileSync(join(folder, 'export.csv'), `${[header, ...rows].join('\n')}\n`);
    const run = await runCli(['assessments', 'export.csv', '--json'], { cwd: folder, env, shell: (cli) => `ulimit -f 8; exec ${cli}` });
    expect(run.code).toBe(74);
    expect(run.stderr).toMatch(/✖ assessments: \d+ records from export\.csv/);
    expect(run.stderr).toMatch(/hire-import: cannot write the rejects file .*export\.rejects\.csv: the file is as large as this system allows \(ulimit -f\?\) \(EFBIG/);
    expect(run.stderr).not.toMatch(stackTrace);
    // The one object is the partial summary, with the error that stopped it.
    const summary = onlyObject(run) as { counts: { read: number; invalid: number } };
    expect(summary).toMatchObject({ ok: false, exitCode: 74, file: 'export.csv', rejects: 'export.rejects.csv', error: { kind: 'LogWriteError' } });
    expect(summary.counts.invalid).toBeGreaterThan(0);
    expect(summary.counts.read).toBeLessThan(rows.length); // stopped at once
  });

  it('takes a --base-url that ends in /open-apis, with a note', async () => {
    const { sandbox, folder, ids } = await setup(3);
    const env = credentialEnv(`${sandbox.url}/open-apis/`);
    const run = await runCli(['assessments', 'export.csv'], { cwd: folder, env });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`note: --base-url ends in /open-apis, which hire-import adds to every request itself; using ${sandbox.url}`);
    expect(sandbox.stats().created).toBe(ids.length);
    // One target, written with /open-apis or not: the same state, and a log bound to the origin.
    expect(readLog(stateLog(folder, sandbox.url))).toHaveLength(ids.length);
    expect((await runCli(['assessments', 'export.csv'], { cwd: folder, env: credentialEnv(sandbox.url) })).code).toBe(0);
    expect(sandbox.stats().created).toBe(ids.length);
  });
});

describe('stopping', () => {
  it('on SIGHUP (a closed ssh session) finishes and logs what is in flight, then exits 130 like Ctrl-C', async () => {
    const { sandbox, folder, env, logPath } = await setup(150, { latencyMs: 300, jitterMs: 100 });
    const run = startCli(['assessments', 'export.csv', '--json'], { cwd: folder, env });
    await waitFor(() => logLines(logPath) >= 10, 'the first results');
    run.child.kill('SIGHUP');
    const result = await run.done;
    expect(result.code).toBe(130);
    expect(result.signal).toBeNull(); // not killed by the signal
    expect(onlyObject(result)).toMatchObject({ interrupted: true, exitCode: 130 });
    expect(result.stderr).toContain('SIGHUP: stopping; finishing and logging the requests in flight');
    const onServer = sandbox.assessments().map((stored) => String(stored.body.external_id));
    expect(onServer.length).toBeLessThan(150);
    expect(new Set(statuses(logPath).created)).toEqual(new Set(onServer));
  });

  it('--max-duration 2s stops reading on purpose: exit 3, everything sent is logged, and a rerun finishes the job', async () => {
    const { sandbox, folder, env, ids, logPath } = await setup(120, { latencyMs: 200 });
    const run = await runCli(['assessments', 'export.csv', '--rate', '10', '--max-duration', '2s', '--json'], { cwd: folder, env });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('hire-import: stopped on purpose after 2s (--max-duration): the requests in flight were finished and logged; run the same command again to continue');
    const summary = onlyObject(run);
    expect(summary).toMatchObject({ ok: false, exitCode: 3, stoppedEarly: 'reached --max-duration 2s', interrupted: false, error: { kind: 'StoppedOnPurposeError' } });
    const onServer = sandbox.assessments().map((stored) => String(stored.body.external_id));
    expect(onServer.length).toBeGreaterThan(0);
    expect(onServer.length).toBeLessThan(ids.length);
    expect(new Set(statuses(logPath).created)).toEqual(new Set(onServer));

    const rerun = await runCli(['assessments', 'export.csv', '--rate', '200', '--max-duration', '1h', '--json'], { cwd: folder, env });
    expect(rerun.code).toBe(0);
    expect(onlyObject(rerun)).toMatchObject({ ok: true, counts: { skipped: onServer.length, created: ids.length - onServer.length } });
    expect(sandbox.stats()).toMatchObject({ created: ids.length, replayed: 0 });
  });

  it('migrate --max-duration stops every step on purpose: exit 3, and a rerun of the plan finishes it', async () => {
    const sandbox = await sandboxOn({ parentChecks: 'always', latencyMs: 400, talents: [{ name: '李晓彤', email: 'xiaotong.li@example.com' }, { name: '刘洋', email: 'liuyang.pm@example.com' }] });
    const fixture = readdirSync(join('fixtures', 'migration')).filter((name) => name !== 'README.md');
    const folder = workspace(...fixture.map((name) => `fixtures/migration/${name}`));
    const env = credentialEnv(sandbox.url);
    const first = await runCli(['migrate', 'migration.yaml', '--rate', '2', '--max-duration', '1s', '--json'], { cwd: folder, env });
    expect(first.code).toBe(3);
    const stopped = onlyObject(first) as { exitCode: number; steps: Array<{ exitCode: number; stoppedEarly: string | null }> };
    expect(stopped.exitCode).toBe(3);
    expect(stopped.steps.filter((step) => step.exitCode === 3).map((step) => step.stoppedEarly)).toContain('reached --max-duration 1s');
    const createdBefore = sandbox.stats().created;
    expect(createdBefore).toBeLessThan(6 + 9 + 8 + 8 + 4 + 3);

    const rerun = await runCli(['migrate', 'migration.yaml', '--rate', '200', '--json'], { cwd: folder, env });
    expect(rerun.code).toBe(1); // the fixture's interview without an application, and its assessment, stay blocked
    const done = onlyObject(rerun) as { steps: Array<{ counts: { blocked: number; failed: number; invalid: number } }> };
    expect(done.steps.map((step) => step.counts.blocked + step.counts.failed + step.counts.invalid)).toEqual([0, 0, 1, 1, 0, 0]);
    expect(sandbox.stats().created).toBe(6 + 9 + 8 + 8 + 4 + 3);
  });

  /**
   * The fixture's plan migrated into a sandbox that keeps its records in a state file, and a way to swap that sandbox
   * for another on the same port and state (a slow one, a fast one again), so a later command meets the same records.
   */
  async function migrated() {
    const stateFile = join(workspace(), 'feishu.jsonl');
    let sandbox = await sandboxOn({ parentChecks: 'always', stateFile });
    const fixture = readdirSync(join('fixtures', 'migration')).filter((name) => name !== 'README.md');
    const folder = workspace(...fixture.map((name) => `fixtures/migration/${name}`));
    const env = credentialEnv(sandbox.url);
    expect((await runCli(['migrate', 'migration.yaml', '--rate', '200', '--quiet'], { cwd: folder, env })).code).toBe(1); // one interview stays blocked
    const reopen = async (options: SandboxOptions) => {
      await sandbox.close();
      sandboxes.splice(sandboxes.indexOf(sandbox), 1);
      sandbox = await sandboxOn({ parentChecks: 'always', stateFile, port: sandbox.port, ...options });
      return sandbox;
    };
    return { folder, env, reopen };
  }

  it('verify --max-duration stops on purpose: exit 3 with the summary, and a rerun checks everything', async () => {
    const { folder, env, reopen } = await migrated();
    await reopen({ latencyMs: 1500 }); // every read outlasts the limit
    const stopped = await runCli(['verify', 'migration.yaml', '--max-duration', '1s', '--json'], { cwd: folder, env });
    expect(stopped.code).toBe(3);
    expect(onlyObject(stopped)).toMatchObject({ ok: false, exitCode: 3, interrupted: false, stoppedEarly: 'reached --max-duration 1s', error: { kind: 'StoppedOnPurposeError' } });
    expect(stopped.stderr).toContain('stopped on purpose (reached --max-duration 1s): the records not reached were not checked');
    expect(stopped.stderr).toContain('hire-import: stopped on purpose after 1s (--max-duration): the records not reached were not checked; run the same command again');

    await reopen({});
    const rerun = await runCli(['verify', 'migration.yaml', '--max-duration', '1h', '--json'], { cwd: folder, env });
    expect(rerun.code).toBe(1); // the blocked interview and its assessment were never imported
    expect(onlyObject(rerun)).toMatchObject({ exitCode: 1, stoppedEarly: null, readFailures: 0, counts: { missing: 0, differs: 0, 'not imported': 2 } });
  });

  it('undo --max-duration stops on purpose: exit 3, the deletes in flight logged, and a rerun deletes the rest', async () => {
    const { folder, env, reopen } = await migrated();
    const slow = await reopen({ latencyMs: 1500 }); // the first level's deletes outlast the limit; the next level waits
    const stopped = await runCli(['undo', 'migration.yaml', '--yes', '--max-duration', '1s', '--json'], { cwd: folder, env });
    expect(stopped.code).toBe(3);
    expect(onlyObject(stopped)).toMatchObject({ ok: false, exitCode: 3, interrupted: false, error: { kind: 'StoppedOnPurposeError' } });
    expect(stopped.stderr).toContain('hire-import: stopped on purpose after 1s (--max-duration): the requests in flight were finished and logged; run the same command again to continue');
    expect(slow.records('applications').length).toBeGreaterThan(0); // parents wait for their children: not reached

    const fast = await reopen({});
    const rerun = await runCli(['undo', 'migration.yaml', '--yes', '--max-duration', '1h', '--json'], { cwd: folder, env });
    expect(rerun.code).toBe(0);
    for (const resource of ['applications', 'interviews', 'offers', 'background-checks']) expect(fast.records(resource)).toEqual([]);
  });

  it('--max-errors counts only errors the log did not already hold: a nightly rerun does not stop at the same bad lines', async () => {
    const { folder, env } = await setup(0);
    const bad = [0, 1, 2].map((n) => row(`K-${n}`, n, 'maybe'));
    const good = Array.from({ length: 20 }, (_, n) => row(`G-${n}`, n + 3));
    writeFileSync(join(folder, 'export.csv'), `${[header, ...bad, ...good].join('\n')}\n`);
    const first = await runCli(['assessments', 'export.csv', '--max-errors', '3', '--json'], { cwd: folder, env });
    expect(first.code).toBe(1);
    expect(onlyObject(first)).toMatchObject({ stoppedEarly: expect.stringContaining('reached --max-errors 3'), counts: { invalid: 3, created: 0 } });

    const rerun = await runCli(['assessments', 'export.csv', '--max-errors', '2', '--json'], { cwd: folder, env });
    expect(rerun.code).toBe(1); // the bad lines are still bad
    expect(onlyObject(rerun)).toMatchObject({ stoppedEarly: null, counts: { invalid: 3, created: 20 } });

    // The same file with a log that knows nothing: the limit does stop it.
    const fresh = await runCli(['assessments', 'export.csv', '--max-errors', '2', '--log', 'other.results.jsonl', '--json'], { cwd: folder, env });
    expect(onlyObject(fresh)).toMatchObject({ stoppedEarly: 'reached --max-errors 2: 2 of 2 records read were invalid or failed anew', counts: { created: 0 } });
  });
});
