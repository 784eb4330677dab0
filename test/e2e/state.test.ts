/**
 * State that cannot lie (issue 11), end to end: a result log bound to its target and resource, the default state
 * shared by every export of a resource (and its lock), a rehearsal whose sandbox keeps what its log says it created,
 * and a log whose lines reach the disk in grouped syncs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { credentialEnv, credentials, readLog, runCli, sandboxLog, startCli, stateLog, waitFor, workspace } from '../support/cli.js';
import { writeAssessmentsCsv } from '../support/generate.js';

const sandboxes: Sandbox[] = [];
afterEach(async () => {
  for (const sandbox of sandboxes.splice(0)) await sandbox.close();
});

async function newSandbox(latencyMs = 0): Promise<Sandbox> {
  const sandbox = await startSandbox({ ...credentials, seed: 5, rateLimit: 0, latencyMs });
  sandboxes.push(sandbox);
  return sandbox;
}

const fast = ['--rate', '200', '--concurrency', '10'];

/** The CSV's header and rows `from` to `to` (exclusive) of the `count`-row export writeAssessmentsCsv makes. */
function writeRows(folder: string, name: string, from: number, to: number): void {
  writeAssessmentsCsv(join(folder, 'all.csv'), to);
  const [header, ...rows] = readFileSync(join(folder, 'all.csv'), 'utf8').trimEnd().split('\n');
  writeFileSync(join(folder, name), `${[header, ...rows.slice(from, to)].join('\n')}\n`);
}

describe('a result log bound to its target', () => {
  it('names its target and resource in a header, and the summary names the target in words and JSON', async () => {
    const sandbox = await newSandbox();
    const folder = workspace();
    writeAssessmentsCsv(join(folder, 'export.csv'), 3);
    const run = await runCli(['assessments', 'export.csv', '--json', ...fast], { cwd: folder, env: credentialEnv(sandbox.url) });
    expect(run.code).toBe(0);
    const log = stateLog(folder, sandbox.url);
    expect(log).toBe(join(folder, 'hire-import-state', `127.0.0.1_${sandbox.port}-${credentials.appId}`, 'assessments.results.jsonl'));
    const [header] = readFileSync(log, 'utf8').split('\n');
    expect(JSON.parse(header!)).toEqual({ hire_import: 1, target: sandbox.url, app_id: credentials.appId, resource: 'assessments', created_at: expect.any(String) });
    expect(JSON.parse(run.stdout)).toMatchObject({ target: { url: sandbox.url, appId: credentials.appId }, log: log.slice(folder.length + 1) });
    expect(run.stderr).toContain(`3 records from export.csv into ${sandbox.url} (app ${credentials.appId}) in`);
  });

  it('refuses with exit 2, sending nothing, a log that belongs to another target, app, resource, or to the sandbox', async () => {
    const first = await newSandbox();
    const second = await newSandbox();
    const folder = workspace();
    writeAssessmentsCsv(join(folder, 'export.csv'), 3);
    const log = stateLog(folder, first.url);
    expect((await runCli(['assessments', 'export.csv', ...fast], { cwd: folder, env: credentialEnv(first.url) })).code).toBe(0);

    const elsewhere = await runCli(['assessments', 'export.csv', '--log', log, ...fast], { cwd: folder, env: credentialEnv(second.url) });
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toContain(
      `hire-import: ${log} belongs to assessments in ${first.url} (app ${credentials.appId}), not to assessments in ${second.url} (app ${credentials.appId}): ` +
        `its "created" lines say nothing about ${second.url} (app ${credentials.appId}), so nothing was sent. ` +
        `Leave out --log to use the state of ${second.url} (app ${credentials.appId}) (hire-import-state/127.0.0.1_${second.port}-${credentials.appId}/assessments.results.jsonl), or give a log of its own`,
    );
    expect(second.stats().requests).toBe(0);

    const otherApp = await runCli(['assessments', 'export.csv', '--log', log, '--app-id', 'cli_other', ...fast], { cwd: folder, env: credentialEnv(first.url) });
    expect(otherApp.code).toBe(2);
    expect(otherApp.stderr).toContain(`belongs to assessments in ${first.url} (app ${credentials.appId}), not to assessments in ${first.url} (app cli_other)`);

    writeFileSync(join(folder, 'offers.jsonl'), '{"external_id":"O-1"}\n');
    const otherResource = await runCli(['offers', 'offers.jsonl', '--log', log], { cwd: folder, env: credentialEnv(first.url) });
    expect(otherResource.code).toBe(2);
    expect(otherResource.stderr).toContain(`belongs to assessments in ${first.url} (app ${credentials.appId}), not to offers in ${first.url}`);

    const rehearsal = await runCli(['assessments', 'export.csv', '--log', log, '--sandbox'], { cwd: folder });
    expect(rehearsal.code).toBe(2);
    expect(rehearsal.stderr).toContain(`belongs to assessments in ${first.url} (app ${credentials.appId}), not to assessments in the sandbox`);
    const dryRun = await runCli(['assessments', 'export.csv', '--log', log, '--dry-run'], { cwd: folder, env: credentialEnv(second.url) });
    expect(dryRun.code).toBe(2);
    expect(first.stats()).toMatchObject({ created: 3, replayed: 0 });
  });
});

describe('the default state', () => {
  it('belongs to the target and resource: overlapping exports imported one after the other create the overlap once', async () => {
    const sandbox = await newSandbox();
    const folder = workspace();
    writeRows(folder, 'january.csv', 0, 6);
    writeRows(folder, 'february.csv', 4, 10); // are in both
    const env = credentialEnv(sandbox.url);
    const january = await runCli(['assessments', 'january.csv', '--json', ...fast], { cwd: folder, env });
    expect(JSON.parse(january.stdout).counts).toMatchObject({ read: 6, created: 6, skipped: 0 });
    const february = await runCli(['assessments', 'february.csv', '--json', ...fast], { cwd: folder, env });
    expect(february.code).toBe(0);
    expect(JSON.parse(february.stdout).counts).toMatchObject({ read: 6, created: 4, skipped: 2 });
    expect(february.stderr).toContain('created 4 · skipped 2');
    // Created once each, by the log, not by the server's 24-hour memory.
    expect(sandbox.stats()).toMatchObject({ created: 10, replayed: 0 });
    // Answers arrive in any order on several connections.
    expect(readLog(stateLog(folder, sandbox.url)).map((entry) => `${entry.file}:${entry.external_id}`).sort()).toEqual([
      ...[6, 7, 8, 9].map((n) => `february.csv:R-${n}`),
      ...[0, 1, 2, 3, 4, 5].map((n) => `january.csv:R-${n}`),
    ]);
    expect(existsSync(join(folder, 'january.results.jsonl'))).toBe(false);
  });

  it('is one lock for every export of the resource: a second export while the first runs exits 75, told to wait, not to use another log', async () => {
    const sandbox = await newSandbox(300);
    const folder = workspace();
    writeRows(folder, 'january.csv', 0, 40);
    writeRows(folder, 'february.csv', 30, 50); // are in both
    const env = credentialEnv(sandbox.url);
    const log = stateLog(folder, sandbox.url);
    // Slow enough (8 s) to be still running when the second starts, however loaded the machine.
    const january = startCli(['assessments', 'january.csv', '--rate', '5'], { cwd: folder, env });
    await waitFor(() => existsSync(log) && readLog(log).length > 0, 'the first import to log an outcome');
    const february = await runCli(['assessments', 'february.csv'], { cwd: folder, env });
    expect(february.code).toBe(75);
    expect(february.stderr).toContain(`another import (pid ${january.child.pid} on host `);
    expect(february.stderr).toContain(`is writing ${log.slice(folder.length + 1)}; wait for it to finish.`);
    // A log of its own would forget what the other export created, and create the overlap twice.
    expect(february.stderr).not.toMatch(/--log|separate|another log|log of its own/);
    january.child.kill('SIGINT');
    expect((await january.done).code).toBe(130);

    // Waiting was the right advice: the two exports, finished one after the other, create each record once.
    expect((await runCli(['assessments', 'february.csv', ...fast], { cwd: folder, env })).code).toBe(0);
    expect((await runCli(['assessments', 'january.csv', ...fast], { cwd: folder, env })).code).toBe(0);
    expect(sandbox.stats()).toMatchObject({ created: 50, replayed: 0 });
    expect(new Set(readLog(log).filter((entry) => entry.status === 'created').map((entry) => entry.external_id)).size).toBe(50);
  });
});

describe('a rehearsal', () => {
  it('keeps its sandbox beside its log: a rerun with --update-changed updates exactly the row that changed', async () => {
    const folder = workspace();
    writeAssessmentsCsv(join(folder, 'export.csv'), 5);
    const first = await runCli(['assessments', 'export.csv', '--sandbox', '--json', ...fast], { cwd: folder });
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ target: { url: 'sandbox', appId: null }, counts: { created: 5 } });
    expect(first.stderr).toContain('5 records from export.csv into the sandbox in');
    const csv = readFileSync(join(folder, 'export.csv'), 'utf8');
    writeFileSync(join(folder, 'export.csv'), csv.replace('"notes for R-3"', '"revised notes for R-3"'));

    const update = await runCli(['assessments', 'export.csv', '--sandbox', '--update-changed', '--json', ...fast], { cwd: folder });
    expect(update.code).toBe(0);
    expect(JSON.parse(update.stdout)).toMatchObject({ requests: 1, counts: { updated: 1, skipped: 4, created: 0, failed: 0 } });
    const created = readLog(sandboxLog(folder)).filter((entry) => entry.status === 'created');
    const updated = readLog(sandboxLog(folder)).filter((entry) => entry.status === 'updated');
    expect(updated).toEqual([expect.objectContaining({ external_id: 'R-3', id: created.find((entry) => entry.external_id === 'R-3')!.id })]);
    const state = readFileSync(join(folder, 'hire-import-state', 'sandbox', 'sandbox-state.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(state.map((change) => change.op)).toEqual(['create', 'create', 'create', 'create', 'create', 'update']);
    expect(state.at(-1)).toMatchObject({ resource: 'assessments', id: updated[0]!.id, body: { content: 'revised notes for R-3' } });
  });

  it('refuses a log whose sandbox state is gone, rather than skip records the sandbox does not hold', async () => {
    const folder = workspace();
    writeAssessmentsCsv(join(folder, 'export.csv'), 2);
    expect((await runCli(['assessments', 'export.csv', '--sandbox', ...fast], { cwd: folder })).code).toBe(0);
    const log = sandboxLog(folder).slice(folder.length + 1);
    rmSync(join(folder, 'hire-import-state', 'sandbox', 'sandbox-state.jsonl'));
    const run = await runCli(['assessments', 'export.csv', '--sandbox', ...fast], { cwd: folder });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `hire-import: ${log} says 2 records were created in the sandbox, but the sandbox's state (hire-import-state/sandbox/sandbox-state.jsonl) is gone, so it no longer holds them; ` +
        `nothing was sent. Delete ${log} to rehearse from the start`,
    );
    rmSync(join(folder, log));
    expect((await runCli(['assessments', 'export.csv', '--sandbox', ...fast], { cwd: folder })).code).toBe(0);
  });
});

/** Whether strace can trace a child here (a container may forbid ptrace). */
function canTrace(): boolean {
  try {
    execFileSync('strace', ['-f', '-o', '/dev/null', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('durability', () => {
  it.skipIf(!canTrace())('flushes the log to the disk with fdatasync while it runs, one sync for several lines, and after its last line', async () => {
    const sandbox = await newSandbox(50);
    const folder = workspace();
    writeAssessmentsCsv(join(folder, 'export.csv'), 40);
    // About 2 s at 20 records/s: a sync every 50 ms makes dozens; only one at the close would be a window of seconds.
    const run = await runCli(['assessments', 'export.csv', '--rate', '20'], {
      cwd: folder,
      env: credentialEnv(sandbox.url),
      shell: (cli) => `exec strace -f -y -s 0 -e trace=write,fdatasync -o trace.txt ${cli}`,
    });
    expect(run.code).toBe(0);
    const log = stateLog(folder, sandbox.url);
    // `write(21</tmp/.../assessments.results.jsonl>, ""..., 230) = 230`: the calls on the log's file, in order.
    const calls = readFileSync(join(folder, 'trace.txt'), 'utf8')
      .split('\n')
      .filter((line) => line.includes(`<${log}>`))
      .map((line) => (/ (write|fdatasync)\(/.exec(line)?.[1] ?? 'other'));
    const writes = calls.filter((call) => call === 'write').length;
    const syncs = calls.filter((call) => call === 'fdatasync').length;
    expect(writes).toBe(readFileSync(log, 'utf8').trimEnd().split('\n').length - 1); // a write per line (the header goes with the first)
    expect(calls.at(-1)).toBe('fdatasync'); // nothing written after the last sync
    expect(syncs).toBeLessThan(writes); // grouped: one sync for the lines of a window, not one per line
    const syncsWhileRunning = calls.slice(0, calls.lastIndexOf('write')).filter((call) => call === 'fdatasync').length;
    expect(syncsWhileRunning).toBeGreaterThanOrEqual(5);
  });
});
