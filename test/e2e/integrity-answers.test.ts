/**
 * Hostile answers and a damaged or unwritable log, end to end (issue 7): the real CLI as a subprocess, against the
 * sandbox or, where the sandbox cannot give the answer, a small fake server on 127.0.0.1. No timings are asserted:
 * a test that would hang on a wrong build fails by its timeout.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assessments } from '../../src/endpoints/assessments.js';
import { tokenPath } from '../../src/endpoints/registry.js';
import { readBody, sendJson } from '../../src/sandbox/http.js';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/server.js';
import { credentialEnv, credentials, readLog, runCli, startCli, stateLog, workspace } from '../support/cli.js';
import { writeAssessmentsCsv } from '../support/generate.js';

let sandbox: Sandbox | undefined;
let fake: Server | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
  fake?.closeAllConnections();
  await new Promise((resolve) => (fake ? fake.close(resolve) : resolve(undefined)));
  fake = undefined;
});

const token = 't-g1044ghJ7W3T2ZZUBQV6OMNAQYD2ZBQHHBYLJR2Q';
type FakeAnswer = { status: number; body: unknown; headers?: Record<string, string> };

/** A Feishu stand-in: the token endpoint issues `token`; `answer` answers each assessment request (numbered from 1). */
async function startFake(answer: (request: IncomingMessage, n: number) => FakeAnswer, tokenAnswer?: (body: string) => FakeAnswer): Promise<string> {
  let requests = 0;
  fake = createServer(async (request, response) => {
    const body = await readBody(request);
    const path = new URL(request.url ?? '/', 'http://fake').pathname;
    const reply =
      path === tokenPath
        ? (tokenAnswer?.(body) ?? { status: 200, body: { code: 0, msg: 'ok', tenant_access_token: token, expire: 7200 } })
        : path === assessments.create.path
          ? answer(request, ++requests)
          : { status: 404, body: { code: 404, msg: 'no such path' } };
    sendJson(response, reply.status, reply.body, reply.headers);
  });
  await new Promise<void>((resolve) => fake!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
}

const created = (n: number): FakeAnswer => ({ status: 200, body: { code: 0, msg: 'success', data: { external_interview_assessment: { id: `70${n}` } } } });
const rateLimited = (reset: string): FakeAnswer => ({
  status: 429,
  body: { code: 99991400, msg: 'request trigger frequency limit' },
  headers: { 'x-ogw-ratelimit-limit': '20', 'x-ogw-ratelimit-reset': reset },
});

async function withSandbox(count: number, options: SandboxOptions = {}) {
  sandbox = await startSandbox({ ...credentials, seed: 11, rateLimit: 0, ...options });
  const folder = workspace();
  const ids = writeAssessmentsCsv(join(folder, 'export.csv'), count);
  return { folder, ids, env: credentialEnv(sandbox.url), logPath: stateLog(folder, sandbox.url) };
}

function fakeWorkspace(count: number) {
  const folder = workspace();
  const ids = writeAssessmentsCsv(join(folder, 'export.csv'), count);
  return { folder, ids };
}

const fast = ['--rate', '200', '--concurrency', '10'];

function createdIds(logPath: string): string[] {
  return readLog(logPath)
    .filter((entry) => entry.status === 'created')
    .map((entry) => String(entry.external_id));
}

function logLines(path: string): number {
  try {
    return readFileSync(path, 'utf8').split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** What only a crash prints: Node's report of an unhandled error. */
const stackTrace = /node:events|^\s+at /m;

describe('answers', () => {
  it('believes a reset header only within reason: 429s saying "reset in 11.6 days" (and in 34 days) cost seconds', async () => {
    const { folder } = fakeWorkspace(3);
    const resets = ['999999', '3000000'];
    const baseUrl = await startFake((_request, n) => (n <= resets.length ? rateLimited(resets[n - 1]!) : created(n)));
    const logPath = stateLog(folder, baseUrl);
    const run = await runCli(['assessments', 'export.csv', '--json', '--concurrency', '1'], { cwd: folder, env: credentialEnv(baseUrl) });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ rateLimited: 2, counts: { created: 3, failed: 0 } });
    expect(createdIds(logPath)).toEqual(['R-0', 'R-1', 'R-2']);
  }, 30_000);

  it('ends a rate limit that never lifts with exit 69 and says so, failing no record (window shortened to 3 s)', async () => {
    const { folder } = fakeWorkspace(5);
    const baseUrl = await startFake(() => rateLimited('1'));
    const logPath = stateLog(folder, baseUrl);
    const run = await runCli(['assessments', 'export.csv', '--json'], { cwd: folder, env: credentialEnv(baseUrl), rateLimitGiveUpMs: 3000 });
    expect(run.code).toBe(69);
    expect(run.stderr).toContain(
      "hire-import: Feishu has answered 'request trigger frequency limit' to every request for 3 seconds: the app's quota may be used up",
    );
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({ ok: false, exitCode: 69, pending: 5, counts: { read: 5, created: 0, failed: 0 }, error: { kind: 'ServiceUnavailableError' } });
    expect(run.stderr).toContain('not sent 5');
    expect(readLog(logPath)).toEqual([]); // nothing failed, so a rerun sends all five (their intents only say they were sent)
  }, 30_000);

  it('masks the app secret, the token and Bearer values a server echoes, in stdout, stderr and the log', async () => {
    const { folder } = fakeWorkspace(2);
    let secretSeen = '';
    const baseUrl = await startFake(
      (request) => ({
        status: 400,
        body: { code: 1002002, msg: `invalid request; Authorization: ${request.headers.authorization}; app_secret=${secretSeen}; token ${token}` },
      }),
      (body) => {
        secretSeen = (JSON.parse(body) as { app_secret: string }).app_secret;
        return { status: 200, body: { code: 0, msg: 'ok', tenant_access_token: token, expire: 7200 } };
      },
    );
    const run = await runCli(['assessments', 'export.csv', '--json'], { cwd: folder, env: credentialEnv(baseUrl) });
    expect(run.code).toBe(1);
    const logPath = stateLog(folder, baseUrl);
    const log = readFileSync(logPath, 'utf8');
    expect(secretSeen).toBe(credentials.appSecret);
    for (const text of [run.stdout, run.stderr, log]) {
      expect(text).not.toContain(credentials.appSecret);
      expect(text).not.toContain(token.slice(2));
    }
    expect(readLog(logPath)[0]).toMatchObject({ status: 'failed', msg: 'invalid request; Authorization: Bearer ***; app_secret=***; token ***' });

    // The token endpoint echoing the credentials it refused.
    fake!.closeAllConnections();
    await new Promise((resolve) => fake!.close(resolve));
    const refusing = await startFake((_request, n) => created(n), (body) => ({ status: 400, body: { code: 10014, msg: `app secret invalid: ${body}` } }));
    const refused = await runCli(['assessments', 'export.csv'], { cwd: folder, env: credentialEnv(refusing) });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`app secret invalid: {"app_id":"${credentials.appId}","app_secret":"***"}`);
    expect(refused.stderr).not.toContain(credentials.appSecret);
  });
});

describe('the result log', () => {
  it('refuses a log re-saved as UTF-16, pretty-printed or with zeros in the middle: exit 2, the line, the repair; nothing sent', async () => {
    const { folder, env, ids, logPath } = await withSandbox(6);
    expect((await runCli(['assessments', 'export.csv', ...fast], { cwd: folder, env })).code).toBe(0);
    const good = readFileSync(logPath, 'utf8');
    const lines = good.split('\n').filter(Boolean);
    const damaged: Array<[string | Buffer, RegExp]> = [
      [Buffer.from(`\uFEFF${good}`, 'utf16le'), /assessments\.results\.jsonl line 1 is UTF-16 text .* iconv -f UTF-16 -t UTF-8 /],
      [lines.map((line) => JSON.stringify(JSON.parse(line), null, 2)).join('\n'), /assessments\.results\.jsonl line 1 starts a JSON document spread over several lines .* jq -c /],
      [
        Buffer.concat([Buffer.from(`${lines.slice(0, 3).join('\n')}\n`), Buffer.alloc(8192), Buffer.from(`\n${lines.slice(3).join('\n')}\n`)]),
        /assessments\.results\.jsonl line 4 holds NUL bytes .* tr -d '\\000' < /,
      ],
      [`${lines[0]}\nnot json at all\n${lines.slice(1).join('\n')}\n`, /assessments\.results\.jsonl line 2 is not JSON .*sed -i '2d' /],
    ];
    for (const [content, message] of damaged) {
      writeFileSync(logPath, content);
      const run = await runCli(['assessments', 'export.csv', ...fast], { cwd: folder, env });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(readFileSync(logPath)).toEqual(Buffer.isBuffer(content) ? content : Buffer.from(content)); // left for the user to repair
    }
    expect(sandbox!.stats()).toMatchObject({ created: ids.length, replayed: 0 });
  });

  it('cuts off a megabyte of zeros at the end (a power loss) with a notice, and sends nothing twice', async () => {
    const { folder, env, ids, logPath } = await withSandbox(8);
    expect((await runCli(['assessments', 'export.csv', ...fast], { cwd: folder, env })).code).toBe(0);
    const good = readFileSync(logPath); // 16 lines: each create's intent and its outcome
    appendFileSync(logPath, Buffer.alloc(1024 * 1024));
    const run = await runCli(['assessments', 'export.csv', ...fast, '--json'], { cwd: folder, env });
    expect(run.code).toBe(0);
    // 8 records: the header, then an intent and an outcome each.
    expect(run.stderr).toContain('assessments.results.jsonl: cut off a damaged tail after line 17 (1048576 bytes: a write torn by a crash, or zeros left by a power loss)');
    expect(JSON.parse(run.stdout)).toMatchObject({ requests: 0, counts: { skipped: 8, created: 0 } });
    expect(readFileSync(logPath)).toEqual(good);
    expect(sandbox!.stats()).toMatchObject({ created: ids.length, replayed: 0 });
  });
});

describe('the lock', () => {
  it('is one lock for a log reached through a symlink and a relative path: the second import exits 75 naming the first', async () => {
    const { folder, env } = await withSandbox(60);
    mkdirSync(join(folder, 'elsewhere'));
    symlinkSync(join(folder, 'export.results.jsonl'), join(folder, 'elsewhere', 'link.jsonl'));
    // Slow enough (12 s) to be still running when the second starts, however loaded the machine; interrupted then.
    const first = startCli(['assessments', 'export.csv', '--log', 'elsewhere/link.jsonl', '--rate', '5'], { cwd: folder, env });
    await waitFor(() => logLines(join(folder, 'export.results.jsonl')) > 0, 'the first import to log');
    const second = await runCli(['assessments', '../export.csv', '--log', '../export.results.jsonl'], { cwd: join(folder, 'elsewhere'), env });
    expect(second.code).toBe(75);
    expect(second.stderr).toMatch(
      new RegExp(`another import \\(pid ${first.child.pid} on host ${hostname()}, since \\d\\d:\\d\\d\\) is writing \\.\\./export\\.results\\.jsonl; wait for it to finish`),
    );
    expect(second.stderr).not.toContain('--log');
    first.child.kill('SIGINT');
    expect((await first.done).code).toBe(130);
  });

  it('takes at once the lock of an import of this host killed -9 (its pid runs nothing now): the rerun continues', async () => {
    const { folder, env, ids, logPath } = await withSandbox(60, { latencyMs: 300 });
    const first = startCli(['assessments', 'export.csv'], { cwd: folder, env });
    await waitFor(() => logLines(logPath) >= 5, 'the first results');
    first.child.kill('SIGKILL');
    await first.done;
    expect(existsSync(`${logPath}.lock`)).toBe(true); // left fresh by the dead run
    const rerun = await runCli(['assessments', 'export.csv', ...fast], { cwd: folder, env });
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(new Set(createdIds(logPath))).toEqual(new Set(ids));
    expect(sandbox!.stats().created).toBe(ids.length);
  });

  it('notices its lock deleted mid-run, takes it again and finishes the run well', async () => {
    const { folder, env, ids, logPath } = await withSandbox(80, { rateLimit: 20 });
    const run = startCli(['assessments', 'export.csv', '--rate', '20'], { cwd: folder, env });
    await waitFor(() => logLines(logPath) >= 5, 'the first results');
    rmSync(`${logPath}.lock`, { recursive: true });
    const result = await run.done;
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/the lock on .*assessments\.results\.jsonl was removed while this import ran \(.*\); it was taken again/);
    expect(createdIds(logPath).sort()).toEqual([...ids].sort());
    expect(() => readFileSync(`${logPath}.lock.owner`)).toThrow(/ENOENT/); // released at the end
  });
});

describe('a log that cannot be written, and output nobody reads', () => {
  it('stops sending at once when the log cannot be written (ulimit -f: EFBIG): exit 74, every created record in the log or on stderr', async () => {
    const { folder, env, ids, logPath } = await withSandbox(300, { latencyMs: 100 });
    // 8 KiB of log: some 40 lines. A symlink to /dev/full would do for ENOSPC, but a log must be a regular file.
    const run = await runCli(['assessments', 'export.csv', '--rate', '100', '--concurrency', '20'], { cwd: folder, env, shell: (cli) => `ulimit -f 8; exec ${cli}` });
    expect(run.code).toBe(74);
    expect(run.stderr).toMatch(/hire-import: cannot write the result log .*assessments\.results\.jsonl: the file is as large as this system allows \(ulimit -f\?\) \(EFBIG/);
    expect(run.stderr).not.toMatch(stackTrace);
    const unlogged = run.stderr
      .split('\n')
      .filter((line) => line.startsWith('unlogged: '))
      .map((line) => JSON.parse(line.slice('unlogged: '.length)) as Record<string, unknown>);
    expect(unlogged.length).toBeGreaterThan(0);
    const onServer = sandbox!.assessments().map((stored) => String(stored.body.external_id));
    expect(onServer.length).toBeLessThan(ids.length / 2); // stopped at once, not after reading everything
    const accounted = [...createdIds(logPath), ...unlogged.filter((entry) => entry.status === 'created').map((entry) => String(entry.external_id))];
    expect(accounted.sort()).toEqual([...onServer].sort());

    // The log ends with a whole line, so the printed lines can be appended as they are; then a rerun finishes the job.
    appendFileSync(logPath, unlogged.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
    const rerun = await runCli(['assessments', 'export.csv', ...fast], { cwd: folder, env });
    expect(rerun.code).toBe(0);
    expect(sandbox!.stats()).toMatchObject({ created: ids.length, replayed: 0 });
  });

  it('survives a full stdout after a good import (--json > /dev/full): exit 0, one line, no stack trace', async () => {
    const { folder, env } = await withSandbox(3);
    const run = await runCli(['assessments', 'export.csv', '--json'], { cwd: folder, env, shell: (cli) => `${cli} > /dev/full` });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('hire-import: could not write to stdout: ENOSPC');
    expect(run.stderr).not.toMatch(stackTrace);
  });

  it('exits quietly when the reader of stdout goes away (| head -c 1)', async () => {
    const { folder, env } = await withSandbox(3);
    writeAssessmentsCsv(join(folder, 'big.csv'), 250); // some 110 KB of bodies: more than a pipe holds
    const preview = await runCli(['preview', 'big.csv', '-n', '250'], { cwd: folder, shell: (cli) => `${cli} | head -c 1; exit \${PIPESTATUS[0]}` });
    expect(preview.stdout).toBe('l');
    expect(preview.code).toBe(0);
    expect(preview.stderr).toBe('250 records shown, 0 invalid; nothing was sent\n');
    const run = await runCli(['assessments', 'export.csv', '--json'], { cwd: folder, env, shell: (cli) => `${cli} | true; exit \${PIPESTATUS[0]}` });
    expect(run.code).toBe(0);
    expect(run.stderr).not.toMatch(stackTrace);
    expect(run.stderr).not.toContain('could not write');
  });
});
