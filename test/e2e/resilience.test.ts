/**
 * Faults and crashes, end to end: the real CLI as a subprocess against the sandbox with faults injected.
 * No timings are asserted; each test checks what must hold whatever the machine's speed.
 */
import { appendFileSync, readFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/server.js';
import { credentialEnv, credentials, readLog, runCli, startCli, stateLog, workspace } from '../support/cli.js';
import { writeAssessmentsCsv } from '../support/generate.js';

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function setup(count: number, options: SandboxOptions = {}) {
  sandbox = await startSandbox({ ...credentials, seed: 7, ...options });
  const folder = workspace();
  const file = join(folder, 'export.csv');
  const ids = writeAssessmentsCsv(file, count);
  return { folder, file, ids, env: credentialEnv(sandbox.url), logPath: stateLog(folder, sandbox.url) };
}

function createdIds(logPath: string): string[] {
  return readLog(logPath)
    .filter((entry) => entry.status === 'created')
    .map((entry) => String(entry.external_id));
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Waits until `count` has not changed for `quietMs`. */
async function untilQuiet(count: () => number, quietMs = 300): Promise<void> {
  let last = count();
  let since = Date.now();
  while (Date.now() - since < quietMs) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (count() !== last) {
      last = count();
      since = Date.now();
    }
  }
}

function logLines(path: string): number {
  try {
    return readFileSync(path, 'utf8').split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
}

describe('resilience', () => {
  it('paces under the limit: a server that rejects the 21st request in any second sees no 429', async () => {
    // 50 records at 20 per second: two and a half seconds of pacing, every sliding second of it at the limit.
    const { folder, env, ids } = await setup(50, { rateLimit: 20, latencyMs: 50, jitterMs: 40 });
    const run = await runCli(['assessments', 'export.csv', '--json'], { cwd: folder, env });
    expect(run.code).toBe(0);
    expect(sandbox!.stats()).toMatchObject({ created: ids.length, rateLimited: 0 });
  });

  it('slows down on 429s from a server whose real limit is lower, losing and failing nothing', async () => {
    // The pace starts at the documented 20 per second, so the first second already meets the lower limit.
    const { folder, env, ids, logPath } = await setup(30, { rateLimit: 8 });
    const run = await runCli(['assessments', 'export.csv', '--json'], { cwd: folder, env });
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary.rateLimited).toBeGreaterThan(0);
    expect(summary.rateLimited).toBe(sandbox!.stats().rateLimited);
    expect(summary.counts).toMatchObject({ created: ids.length, failed: 0 });
    expect(createdIds(logPath).sort()).toEqual([...ids].sort());
  });

  it('completes through 500s, resets, timeouts and a token that expires mid-run, creating each record once', async () => {
    // Enough records (about four seconds at 20 per second) that the two-second token expires mid-run.
    const { folder, env, ids, logPath } = await setup(80, {
      errorRate: 0.15,
      resetRate: 0.05,
      latencyMs: 60,
      jitterMs: 60,
      tokenTtlSeconds: 2,
    });
    const run = await runCli(['assessments', 'export.csv', '--json', '--timeout', '100', '--retries', '12'], { cwd: folder, env });
    expect(run.code).toBe(0);
    const stats = sandbox!.stats();
    expect(stats.created).toBe(ids.length);
    expect(stats.serverErrors).toBeGreaterThan(0);
    expect(stats.resets).toBeGreaterThan(0);
    expect(stats.tokensIssued).toBeGreaterThan(1);
    expect(sandbox!.assessments().map((stored) => stored.body.external_id).sort()).toEqual([...ids].sort());
    expect(createdIds(logPath).sort()).toEqual([...ids].sort());
    const summary = JSON.parse(run.stdout);
    expect(summary.retries).toBeGreaterThan(0);
  });

  it('marks a record that keeps failing as failed with its last code after a bounded number of tries', async () => {
    const { folder, env, logPath } = await setup(5, { failExternalIds: ['R-2'] });
    const run = await runCli(['assessments', 'export.csv', '--retries', '2'], { cwd: folder, env });
    expect(run.code).toBe(1);
    const failed = readLog(logPath).filter((entry) => entry.status === 'failed');
    expect(failed).toEqual([expect.objectContaining({ external_id: 'R-2', code: 1002001, attempts: 3, line: 4 })]);
    expect(sandbox!.stats().created).toBe(4);
  });

  it('after kill -9 and a torn log line, a rerun finishes the job and resends at most what was in flight', async () => {
    // Killed after 20 results of 60, paced at the documented rate: about eight requests are in flight then. The
    // sandbox has no limit, so the rerun sends the 40 left as fast as it likes.
    const { folder, env, ids, logPath } = await setup(60, { rateLimit: 0, latencyMs: 400, jitterMs: 200 });
    const first = startCli(['assessments', 'export.csv'], { cwd: folder, env });
    await waitFor(() => logLines(logPath) >= 20, 'the first results');
    first.child.kill('SIGKILL');
    await first.done;
    // Bytes the dead process had already written may still reach the server: let loopback drain before counting.
    await untilQuiet(() => sandbox!.stats().requests);
    const createdBeforeKill = sandbox!.stats().created;
    const logged = createdIds(logPath);
    const inFlight = createdBeforeKill - logged.length;
    appendFileSync(logPath, '{"external_id":"R-9'); // what a crash mid-write leaves
    const minuteAgo = new Date(Date.now() - 60_000);
    utimesSync(`${logPath}.lock`, minuteAgo, minuteAgo); // the dead run's lock, as it is once stale

    const second = await runCli(['assessments', 'export.csv', '--json', '--rate', '200'], { cwd: folder, env });
    expect(second.code).toBe(0);
    expect(second.stderr).toMatch(/cut off a damaged tail after line \d+ \(19 bytes/);
    const stats = sandbox!.stats();
    expect(stats.created).toBe(ids.length);
    // Only the records that were in flight at the kill reach the server twice (and its idempotency catches them).
    expect(stats.replayed).toBe(inFlight);
    expect(new Set(createdIds(logPath))).toEqual(new Set(ids));
  });

  it('on SIGINT finishes and logs what is in flight, prints the summary and exits 130', async () => {
    const { folder, env, logPath } = await setup(150, { latencyMs: 300, jitterMs: 100 });
    const run = startCli(['assessments', 'export.csv', '--json'], { cwd: folder, env });
    await waitFor(() => logLines(logPath) >= 10, 'the first results');
    run.child.kill('SIGINT');
    const result = await run.done;
    expect(result.code).toBe(130);
    expect(JSON.parse(result.stdout)).toMatchObject({ interrupted: true });
    expect(result.stderr).toMatch(/interrupted/);
    const onServer = sandbox!.assessments().map((stored) => String(stored.body.external_id));
    expect(onServer.length).toBeLessThan(150);
    expect(new Set(createdIds(logPath))).toEqual(new Set(onServer));
  });

  it('refuses a second import on the same log while the first runs', async () => {
    const { folder, env, logPath } = await setup(60, { latencyMs: 300 });
    // Slow enough (12 s) to be still running when the second starts, however loaded the machine.
    const first = startCli(['assessments', 'export.csv', '--rate', '5'], { cwd: folder, env });
    await waitFor(() => logLines(logPath) > 0, 'the first import to start');
    const second = await runCli(['assessments', 'export.csv'], { cwd: folder, env });
    expect(second.code).toBe(75);
    expect(second.stderr).toMatch(/another import \(pid \d+ on host .+, since \d\d:\d\d\) is writing/);
    first.child.kill('SIGINT');
    expect((await first.done).code).toBe(130);
  });
});
