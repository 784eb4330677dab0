/**
 * `hire-import undo`, end to end: the real CLI as a subprocess against a sandbox started here. Applications,
 * interviews and assessments are imported one after another (each mapping looks its parents up in the earlier
 * import's result log); a plan file names the three logs for the undo. The README's worked example
 * (fixtures/migration) goes in with `hire-import migrate` and out with an undo. No timings are asserted.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/server.js';
import { credentialEnv, credentials, readLog, runCli, startCli, stateLog, workspace } from '../support/cli.js';

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

const resources = ['applications', 'interviews', 'assessments'] as const;

/** The three exports, their mappings and the plan; `counts` records of each, children spread over their parents. */
/** `logOf(resource)`: where its import keeps its log, relative to `folder` (the mappings' `{ log }` lookups read them). */
function writeMigration(folder: string, counts: Record<(typeof resources)[number], number>, logOf: (resource: string) => string): void {
  const rows = (header: string, count: number, row: (n: number) => string) => `${[header, ...Array.from({ length: count }, (_, n) => row(n))].join('\n')}\n`;
  writeFileSync(join(folder, 'applications.csv'), rows('application,talent,job', counts.applications, (n) => `A${n},T${n},Engineer ${n}`));
  writeFileSync(join(folder, 'interviews.csv'), rows('interview,application', counts.interviews, (n) => `I${n},A${n % counts.applications}`));
  writeFileSync(join(folder, 'assessments.csv'), rows('assessment,interview,verdict', counts.assessments, (n) => `R${n},I${n % counts.interviews},${n % 2 ? 'pass' : 'fail'}`));
  writeFileSync(join(folder, 'applications.yaml'), 'fields:\n  external_id: application\n  talent_id: talent\n  job_title: job\n');
  writeFileSync(
    join(folder, 'interviews.yaml'),
    `lookups:\n  applications: { log: ${logOf('applications')} }\nfields:\n  external_id: interview\n  external_application_id: { from: application, lookup: applications }\n`,
  );
  writeFileSync(
    join(folder, 'assessments.yaml'),
    `lookups:\n  interviews: { log: ${logOf('interviews')} }\nfields:\n  external_id: assessment\n  external_interview_id: { from: interview, lookup: interviews }\n` +
      '  conclusion: { from: verdict, map: { pass: 2, fail: 1 } }\n',
  );
  writeFileSync(join(folder, 'migration.yaml'), `steps:\n${resources.map((resource) => `  - { resource: ${resource}, input: ${resource}.csv, mapping: ${resource}.yaml }\n`).join('')}`);
}

async function setup(counts: Record<(typeof resources)[number], number>, options: SandboxOptions = {}) {
  sandbox = await startSandbox({ ...credentials, seed: 5, rateLimit: 0, ...options });
  const folder = workspace();
  const log = (resource: string) => stateLog(folder, sandbox!.url, resource);
  writeMigration(folder, counts, (resource) => relative(folder, log(resource)));
  const env = credentialEnv(sandbox.url);
  /** Imports the three exports in order, as fast as the sandbox takes them; returns each import's exit code. */
  const importAll = async () => {
    const codes: Array<number | null> = [];
    for (const resource of resources) {
      codes.push((await runCli([resource, `${resource}.csv`, '-m', `${resource}.yaml`, '--rate', '500', '--quiet'], { cwd: folder, env })).code);
    }
    return codes;
  };
  return { folder, env, importAll, log };
}

/** external_id -> how many lines of `status` the log has for it. */
function linesPer(path: string, status: string): Map<string, number> {
  const per = new Map<string, number>();
  for (const entry of readLog(path)) if (entry.status === status) per.set(String(entry.external_id), (per.get(String(entry.external_id)) ?? 0) + 1);
  return per;
}

function externalIds(resource: string): string[] {
  return sandbox!.records(resource).map((record) => String(record.body.external_id)).sort();
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// Each test runs the CLI five to eight times (imports, then undos): seconds on an idle machine, longer on a loaded one.
describe('hire-import undo', { timeout: 120_000 }, () => {
  it('deletes what the plan created, children first, leaves what it did not create, and a fresh import creates it all again', async () => {
    const counts = { applications: 3, interviews: 6, assessments: 8 };
    const { folder, env, importAll, log } = await setup(counts, { records: { interviews: [{ external_id: 'OLD-1', external_application_id: '6989181065243000000' }] } });
    expect(await importAll()).toEqual([0, 0, 0]);
    expect(externalIds('interviews')).toHaveLength(7);

    const undo = await runCli(['undo', 'migration.yaml', '--yes'], { cwd: folder, env });
    expect(undo.stderr).toContain(`✔ undo: 6 interviews, 8 assessments (with their interviews), 3 applications from ${sandbox!.url} (app ${credentials.appId}) in `);
    expect(undo.stderr).toContain('  interviews: deleted 6\n');
    expect(undo.stderr).toContain('  assessments: 8 deleted with their interviews (the API has no delete for external interview assessments)\n');
    expect(undo.stderr).toContain('  applications: deleted 3\n');
    expect(undo.code).toBe(0);
    // Empty of what was created; the interview that was there before is still there.
    expect(externalIds('applications')).toEqual([]);
    expect(externalIds('interviews')).toEqual(['OLD-1']);
    expect(externalIds('assessments')).toEqual([]);
    const { byResource } = sandbox!.stats();
    expect([byResource.applications!.deleted, byResource.interviews!.deleted, byResource.assessments!.deleted]).toEqual([3, 6, 8]);
    for (const resource of resources) {
      const deleted = linesPer(log(resource), 'deleted');
      expect([...deleted.keys()].sort()).toEqual([...linesPer(log(resource), 'created').keys()].sort());
      expect([...deleted.values()].every((lines) => lines === 1)).toBe(true);
    }
    expect(readLog(log('assessments')).filter((entry) => entry.status === 'deleted').every((entry) => entry.how === 'withParent')).toBe(true);

    // The logs no longer count them as created: the same imports create every record again.
    expect(await importAll()).toEqual([0, 0, 0]);
    expect(sandbox!.stats().created).toBe(2 * (counts.applications + counts.interviews + counts.assessments));
    expect(externalIds('assessments')).toHaveLength(counts.assessments);
    const again = await runCli(['undo', 'migration.yaml', '--dry-run'], { cwd: folder, env });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain(`would delete 6 interviews, 8 assessments (with their interviews), 3 applications from ${sandbox!.url}`);
  });

  it('takes a refused delete as "already gone" only when reading it back by id finds it absent: a generic 1002002 is a failure', async () => {
    const { folder, env, importAll, log } = await setup({ applications: 2, interviews: 4, assessments: 4 });
    expect(await importAll()).toEqual([0, 0, 0]);
    const id = (resource: string, externalId: string) => readLog(log(resource)).find((entry) => entry.external_id === externalId)!.id as string;
    // Removed in the Feishu UI: an interview (batch_query reads it by id) and an application (listed only by talent).
    expect(sandbox!.removeRecord('interviews', id('interviews', 'I1'))).toBe(true);
    expect(sandbox!.removeRecord('applications', id('applications', 'A1'))).toBe(true);
    const run = await runCli(['undo', 'migration.yaml', '--yes'], { cwd: folder, env });
    expect(run.code).toBe(1);
    expect(readLog(log('interviews')).find((entry) => entry.external_id === 'I1' && entry.status === 'deleted')).toMatchObject({ how: 'notFound' });
    expect(readLog(log('applications')).filter((entry) => entry.status === 'deleted').map((entry) => entry.external_id)).toEqual(['A0']);
    expect(run.stderr).toContain('not documented as "not found", and external applications cannot be read back by id alone to tell: check it in Feishu');
  });

  it('resumes after kill -9 and deletes nothing twice: the server deleted exactly what was created', async () => {
    const counts = { applications: 2, interviews: 30, assessments: 30 };
    const { folder, env, importAll, log } = await setup(counts, { latencyMs: 150 });
    expect(await importAll()).toEqual([0, 0, 0]);
    // Interviews go at 10 per second, each answered after 150 ms: some deleted, some in flight, most not started.
    const first = startCli(['undo', 'migration.yaml', '--yes'], { cwd: folder, env });
    await waitFor(() => (sandbox!.stats().byResource.interviews?.deleted ?? 0) >= 8, 'the first deletes');
    first.child.kill('SIGKILL');
    await first.done;
    const deletedBefore = linesPer(log('interviews'), 'deleted').size;
    expect(deletedBefore).toBeLessThan(counts.interviews);
    expect(externalIds('applications')).toHaveLength(counts.applications); // parents wait for their children
    // The dead run's locks are left fresh: the rerun takes them at once, their owner being gone.

    const rerun = await runCli(['undo', 'migration.yaml', '--yes'], { cwd: folder, env });
    expect(rerun.code).toBe(0);
    expect(rerun.stderr).toContain(`undo: ${counts.interviews - deletedBefore} interviews, ${counts.assessments} assessments (with their interviews), 2 applications`);
    for (const resource of resources) expect(externalIds(resource)).toEqual([]);
    const { byResource } = sandbox!.stats();
    for (const resource of resources) expect(byResource[resource]!.deleted).toBe(byResource[resource]!.created);
    // Each record's deletion logged once; a delete the killed run sent but never logged came back "not found".
    for (const resource of resources) {
      const deleted = linesPer(log(resource), 'deleted');
      expect(deleted.size).toBe(counts[resource]);
      expect([...deleted.values()].every((lines) => lines === 1)).toBe(true);
    }
    const notFound = readLog(log('interviews')).filter((entry) => entry.how === 'notFound').length;
    expect(byResource.interviews!.invalid).toBe(notFound);
  });

  it('stops on Ctrl-C after the deletes in flight: exit 130, and a rerun finishes', async () => {
    const { folder, env, importAll, log } = await setup({ applications: 1, interviews: 20, assessments: 1 }, { latencyMs: 150 });
    expect(await importAll()).toEqual([0, 0, 0]);
    const first = startCli(['undo', 'migration.yaml', '--yes'], { cwd: folder, env });
    await waitFor(() => (sandbox!.stats().byResource.interviews?.deleted ?? 0) >= 3, 'the first deletes');
    first.child.kill('SIGINT');
    const stopped = await first.done;
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toContain('■ interrupted undo: 20 interviews, 1 assessment (with their interviews), 1 application');
    expect(stopped.stderr).toContain('  assessments: 1 logged as deleted once every one of their interviews is\n');
    expect(stopped.stderr).toContain('  run the same command again to continue; nothing is deleted twice\n');
    // Every delete the server carried out was logged before the exit.
    expect(linesPer(log('interviews'), 'deleted').size).toBe(sandbox!.stats().byResource.interviews!.deleted);
    const rerun = await runCli(['undo', 'migration.yaml', '--yes'], { cwd: folder, env });
    expect(rerun.code).toBe(0);
    for (const resource of resources) expect(externalIds(resource)).toEqual([]);
  });

  it('deletes nothing without --yes and without a terminal to ask: exit 2 naming the counts, the target and how to confirm', async () => {
    const { folder, env, importAll, log } = await setup({ applications: 25, interviews: 4, assessments: 5 });
    expect(await importAll()).toEqual([0, 0, 0]);
    const before = readFileSync(log('interviews'), 'utf8');
    const refused = await runCli(['undo', 'migration.yaml'], { cwd: folder, env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      `hire-import: undo would delete 4 interviews, 5 assessments (with their interviews), 25 applications from ${sandbox!.url} (app ${credentials.appId}) ` +
        '(about 1m01s); nothing was deleted. To confirm, run the same command with --yes, or in a terminal to be asked; --dry-run shows what would go\n',
    );
    const dryRun = await runCli(['undo', 'migration.yaml', '--dry-run'], { cwd: folder, env });
    expect(dryRun.code).toBe(0);
    expect(dryRun.stderr).toContain("  about 1m01s at the delete APIs' limits (external applications: 20 per minute)\n");
    expect(sandbox!.stats().deleted).toBe(0);
    expect(readFileSync(log('interviews'), 'utf8')).toBe(before);
  });

  it('asks on a terminal, naming the target and the counts, and deletes only once the app id is typed', async () => {
    const { folder, env, importAll } = await setup({ applications: 1, interviews: 2, assessments: 2 });
    expect(await importAll()).toEqual([0, 0, 0]);
    // script(1) gives the CLI a terminal for stdin and stderr; what is piped in is what is typed.
    const onTerminal = (typed: string) =>
      runCli([], { cwd: folder, env: { ...env, TERM: 'dumb' }, input: `${typed}\n`, shell: (cli) => `script -qec ${JSON.stringify(`${cli} undo migration.yaml`)} /dev/null` });
    const wrong = await onTerminal('cli_other');
    expect(wrong.stdout).toContain(`Delete 2 interviews, 2 assessments (with their interviews), 1 application from ${sandbox!.url} (app ${credentials.appId})? Type the app id to confirm:`);
    expect(wrong.stdout).toContain("'cli_other' is not the app id: not confirmed, nothing was deleted");
    expect(wrong.code).toBe(2);
    expect(sandbox!.stats().deleted).toBe(0);
    const right = await onTerminal(credentials.appId);
    expect(right.code).toBe(0);
    expect(sandbox!.stats().deleted).toBe(5);
  });
});

describe('hire-import undo after hire-import migrate', { timeout: 120_000 }, () => {
  it("leaves the sandbox empty of what the fixture's plan created, keeps the talents (no delete) and the two it matched, and a second migrate creates the rest again", async () => {
    const existingTalents = [
      { name: '李晓彤', email: 'xiaotong.li@example.com' },
      { name: '刘洋', email: 'liuyang.pm@example.com' },
    ];
    sandbox = await startSandbox({ ...credentials, rateLimit: 0, parentChecks: 'always', talents: existingTalents });
    const fixtures = readdirSync(join('fixtures', 'migration')).filter((name) => name !== 'README.md').map((name) => `fixtures/migration/${name}`);
    const folder = workspace(...fixtures);
    const env = credentialEnv(sandbox.url);
    const migrate = () => runCli(['migrate', 'migration.yaml', '--rate', '200', '--quiet'], { cwd: folder, env });
    expect((await migrate()).code).toBe(1); // the fixture's interview whose application is missing, and its assessment
    const created = { applications: 9, interviews: 8, assessments: 8, offers: 4, 'background-checks': 3 };
    for (const [resource, count] of Object.entries(created)) expect(sandbox.records(resource)).toHaveLength(count);

    const undo = await runCli(['undo', 'migration.yaml', '--yes'], { cwd: folder, env });
    expect(undo.stderr).toContain('undo: 8 interviews, 8 assessments (with their interviews), 4 offers, 3 background-checks, 9 applications from ');
    expect(undo.stderr).toContain('  talents: 6 left: the API has no delete for talents\n');
    expect(undo.stderr).toContain('  talents: 2 matched (they existed before the import): never deleted\n');
    expect(undo.code).toBe(0);
    const { byResource } = sandbox.stats();
    for (const [resource, count] of Object.entries(created)) {
      expect(sandbox.records(resource), resource).toEqual([]);
      expect(byResource[resource]!.deleted, resource).toBe(count);
    }
    expect(sandbox.records('talents')).toHaveLength(8);

    // The talents are still logged (and still there); everything else is created again, under the same parents.
    expect((await migrate()).code).toBe(1);
    for (const [resource, count] of Object.entries(created)) expect(sandbox.records(resource), resource).toHaveLength(count);
    expect(sandbox.stats().byResource.talents!.created).toBe(6);
    expect(sandbox.stats().missingParent).toBe(0);
  });
});
