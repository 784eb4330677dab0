/**
 * Whole-app refusals, end to end against the sandbox: Feishu refusing the app itself (the IP allow-list, the
 * monthly quota, a permission, ...) stops an import and a whole plan at once with exit 77 and the fix, keeps the log
 * right (nothing refused is logged failed or kept for the user to fix), and a rerun after the fix finishes the job
 * with every record once. A refused token of either code is renewed and the run goes on.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appRefusals } from '../../src/endpoints/codes.js';
import type { Sandbox, SandboxOptions } from '../../src/sandbox/server.js';
import { credentialEnv, readLog, runCli, startCli, stateLog, waitFor, workspace } from '../support/cli.js';
import { sandboxSession } from '../support/sandboxSession.js';

const session = sandboxSession();
let sandbox: Sandbox | undefined;

async function sandboxOn(options: SandboxOptions = {}): Promise<Sandbox> {
  sandbox = await session.start(options);
  return sandbox;
}

const fixtureFiles = readdirSync(join('fixtures', 'migration'))
  .filter((name) => name !== 'README.md')
  .map((name) => `fixtures/migration/${name}`);
const existingTalents = [
  { name: '李晓彤', email: 'xiaotong.li@example.com' },
  { name: '刘洋', email: 'liuyang.pm@example.com' },
];

function applications(count: number): string {
  return Array.from({ length: count }, (_, index) => JSON.stringify({ external_id: `AP-${index}`, talent_id: `70${index}`, job_title: 'engineer' })).join('\n') + '\n';
}

describe('a whole-app refusal', () => {
  it.each(appRefusals.map((entry) => ({ code: entry.code, fix: entry.fix! })))(
    '$code stops an import at once with exit 77 and what to fix; the refused records stay unsent, and the rerun sends them',
    async ({ code, fix }) => {
      const stateFile = join(workspace(), 'sandbox.jsonl');
      await sandboxOn({ stateFile, refuseApp: { code, afterRequests: 5 } });
      const folder = workspace();
      writeFileSync(join(folder, 'applications.jsonl'), applications(40));
      const args = ['applications', 'applications.jsonl', '--json', '--concurrency', '4'];
      const run = await runCli(args, { cwd: folder, env: credentialEnv(sandbox!.url) });
      expect(run.code).toBe(77);
      expect(run.stderr).toContain(`code ${code}`);
      expect(run.stderr).toContain(fix);
      expect(JSON.parse(run.stdout)).toMatchObject({ exitCode: 77, error: { kind: 'AppRefusedError' }, counts: { created: 5, failed: 0, invalid: 0 } });
      // At once: only what was in flight when the first refusal came back was refused, not record after record.
      expect(sandbox!.stats().appRefused).toBeLessThanOrEqual(4);
      const log = stateLog(folder, sandbox!.url, 'applications');
      expect(readLog(log).map((line) => line.status)).toEqual(Array(5).fill('created'));
      expect(existsSync(join(folder, 'applications.rejects.jsonl'))).toBe(false);

      // The fix made (a sandbox that no longer refuses, holding what the first one created): the rest goes, once.
      const { port } = sandbox!;
      await sandbox!.close();
      await sandboxOn({ stateFile, port }); // the same target: the same log
      const rerun = await runCli(args, { cwd: folder, env: credentialEnv(sandbox!.url) });
      expect(rerun.code).toBe(0);
      expect(JSON.parse(rerun.stdout)).toMatchObject({ counts: { created: 35, skipped: 5 } });
      expect(new Set(sandbox!.records('applications').map((record) => record.body.external_id)).size).toBe(40);
      expect(sandbox!.records('applications')).toHaveLength(40);
    },
  );

  it('stops every step of a plan at once when the monthly quota runs out, exit 77; the plan run again after the fix finishes with nothing twice', async () => {
    const stateFile = join(workspace(), 'sandbox.jsonl');
    await sandboxOn({ stateFile, parentChecks: 'always', talents: existingTalents, refuseApp: { code: 99991403, afterRequests: 12 } });
    const folder = workspace(...fixtureFiles);
    const run = await runCli(['migrate', 'migration.yaml', '--json'], { cwd: folder, env: credentialEnv(sandbox!.url) });
    expect(run.code).toBe(77);
    expect(run.stderr).toContain("the app's monthly API quota is used up");
    const document = JSON.parse(run.stdout) as { exitCode: number; steps: Array<{ step: string; counts: Record<string, number> }> };
    expect(document.exitCode).toBe(77);
    for (const step of document.steps) expect(step.counts, step.step).toMatchObject({ failed: 0, invalid: 0 });
    // Before: 56 more requests, each refused. Now the steps stop together, with what was in flight.
    expect(sandbox!.stats().appRefused).toBeLessThanOrEqual(10);

    const { port } = sandbox!;
    await sandbox!.close();
    await sandboxOn({ stateFile, port, parentChecks: 'always', talents: existingTalents });
    const rerun = await runCli(['migrate', 'migration.yaml', '--json'], { cwd: folder, env: credentialEnv(sandbox!.url) });
    // 1: the fixture's interview without an application, and its assessment, are blocked (as in migrate.test.ts).
    expect(rerun.code).toBe(1);
    expect(sandbox!.records('talents')).toHaveLength(8);
    expect(sandbox!.records('applications')).toHaveLength(9);
    expect(sandbox!.records('interviews')).toHaveLength(8);
    expect(sandbox!.records('assessments')).toHaveLength(8);
    expect(sandbox!.records('offers')).toHaveLength(4);
    expect(sandbox!.records('background-checks')).toHaveLength(3);
  });
});

describe('a refused token', () => {
  it('is renewed when Feishu answers 99991665 (非法) mid-run, as for 99991663, and nothing is lost', async () => {
    await sandboxOn({ latencyMs: 20 });
    const folder = workspace();
    writeFileSync(join(folder, 'applications.jsonl'), applications(60));
    const started = startCli(['applications', 'applications.jsonl', '--json', '--concurrency', '2'], { cwd: folder, env: credentialEnv(sandbox!.url) });
    await waitFor(() => sandbox!.stats().created >= 10, '10 creates');
    sandbox!.revokeTokens();
    const run = await started.done;
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({ counts: { created: 60, failed: 0 } });
    expect(summary.tokensRefused).toBeGreaterThanOrEqual(1);
    expect(sandbox!.stats().authFailures).toBeGreaterThanOrEqual(1);
    expect(sandbox!.records('applications')).toHaveLength(60);
  });
});
