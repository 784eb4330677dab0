/**
 * `hire-import migrate`, end to end: the real CLI as a subprocess on a copy of fixtures/migration (the README's
 * worked example: six steps chained by `{ step }` lookups, two candidates already in Feishu, one interview whose
 * application is missing), against a sandbox started here that checks every parent id (`parentChecks: 'always'`).
 */
import { appendFileSync, existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterEach, describe, expect, it } from 'vitest';
import { endpointFor } from '../../src/endpoints/registry.js';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/server.js';
import { credentialEnv, credentials, readLog, runCli, sandboxLog, startCli, stateLog, workspace } from '../support/cli.js';

/** The fixture's steps: the input, the step it looks up and the column holding the parent's legacy key. */
const steps = [
  { step: 'talents', input: 'candidates.csv', key: '候选人编号' },
  { step: 'applications', input: 'applications.csv', key: '投递编号', parent: 'talents', parentKey: '候选人编号' },
  { step: 'interviews', input: 'interviews.csv', key: '面试编号', parent: 'applications', parentKey: '投递编号' },
  { step: 'assessments', input: 'assessments.csv', key: '面评编号', parent: 'interviews', parentKey: '面试编号' },
  { step: 'offers', input: 'offers.csv', key: 'Offer编号', parent: 'applications', parentKey: '投递编号' },
  { step: 'background-checks', input: 'checks.csv', key: '背调编号', parent: 'applications', parentKey: '投递编号' },
] as const;

/** Already in Feishu before the migration: C1002 and C1005 of candidates.csv, by email. */
const existingTalents = [
  { name: '李晓彤', email: 'xiaotong.li@example.com' },
  { name: '刘洋', email: 'liuyang.pm@example.com' },
];

/** What the fixture's plan must end with (the blocked interview and its assessment aside). */
const expectedCounts = {
  talents: { read: 8, created: 6, matched: 2, blocked: 0, invalid: 0, failed: 0 },
  applications: { read: 9, created: 9, blocked: 0, invalid: 0, failed: 0 },
  interviews: { read: 9, created: 8, blocked: 1, invalid: 0, failed: 0 },
  assessments: { read: 9, created: 8, blocked: 1, invalid: 0, failed: 0 },
  offers: { read: 4, created: 4, blocked: 0, invalid: 0, failed: 0 },
  'background-checks': { read: 3, created: 3, blocked: 0, invalid: 0, failed: 0 },
};

const fixtureFiles = readdirSync(join('fixtures', 'migration'))
  .filter((name) => name !== 'README.md')
  .map((name) => `fixtures/migration/${name}`);

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function sandboxWithTalents(options: SandboxOptions = {}): Promise<Sandbox> {
  sandbox = await startSandbox({ ...credentials, rateLimit: 0, parentChecks: 'always', talents: existingTalents, ...options });
  return sandbox;
}

function migrate(folder: string, args: string[] = []) {
  return runCli(['migrate', 'migration.yaml', '--json', '--rate', '200', ...args], { cwd: folder, env: credentialEnv(sandbox!.url) });
}

function rows(folder: string, file: string): Array<Record<string, string>> {
  return parseCsv(readFileSync(join(folder, file)), { columns: true }) as Array<Record<string, string>>;
}

/** A step's result log (the state of its resource), as legacy key -> Feishu id of the records it created or matched. */
function loggedIds(folder: string, resource: string, rehearsal = false): Map<string, string> {
  const log = readLog(rehearsal ? sandboxLog(folder, resource) : stateLog(folder, sandbox!.url, resource));
  return new Map(log.filter((line) => line.status === 'created' || line.status === 'matched').map((line) => [line.external_id as string, line.id as string]));
}

/** The sandbox's records of a resource by external_id (talents by email). */
function stored(resource: string): Map<string, Record<string, unknown>> {
  return new Map(sandbox!.records(resource).map((record) => [String(record.body.external_id ?? record.id), { ...record.body, id: record.id }]));
}

/** Every step's counts from the --json document, by step name. */
function countsOf(document: { steps: Array<{ step: string; counts: Record<string, number> }> }) {
  return Object.fromEntries(document.steps.map((step) => [step.step, step.counts]));
}

/** Every external_id (talents: every email) a resource holds more than once in the sandbox. */
function duplicates(resource: string): string[] {
  const keys = sandbox!.records(resource).map((record) => {
    const info = record.body.basic_info as { name: string } | undefined;
    return String(record.body.external_id ?? info?.name);
  });
  return keys.filter((key, index) => keys.indexOf(key) !== index);
}

describe('hire-import migrate', () => {
  it('creates every child with its parent’s real Feishu id, reuses the 2 talents already there, blocks the interview without an application and its assessment', async () => {
    await sandboxWithTalents();
    const folder = workspace(...fixtureFiles);
    const run = await migrate(folder);
    expect(run.code).toBe(1);
    const document = JSON.parse(run.stdout);
    expect(countsOf(document)).toMatchObject(expectedCounts);

    // Chaining: each child's parent field holds the id its parent step logged for the parent's legacy key; the
    // sandbox checked every parent id at create time (parentChecks always) and refused none.
    for (const { step, input, key, ...link } of steps) {
      if (!('parent' in link)) continue;
      const parentIds = loggedIds(folder, link.parent);
      const records = stored(step);
      const field = endpointFor(step)!.parent!.field;
      for (const row of rows(folder, input)) {
        if (row[key] === 'I3009' || row[key] === 'F4009') continue;
        expect(records.get(row[key]!)?.[field], `${step} ${row[key]}`).toBe(parentIds.get(row[link.parentKey]!));
        expect(parentIds.get(row[link.parentKey]!)).toMatch(/^\d{19}$/);
      }
    }
    expect(sandbox!.stats().missingParent).toBe(0);

    // Talent reuse: the two already there are matched, logged with their Feishu ids; only six are created.
    const talentLog = readLog(stateLog(folder, sandbox!.url, 'talents'));
    const seeded = new Map(sandbox!.records('talents').map((record) => [(record.body.basic_info as { email?: string }).email, record.id]));
    expect(talentLog.filter((line) => line.status === 'matched').map((line) => [line.external_id, line.id])).toEqual([
      ['C1002', seeded.get('xiaotong.li@example.com')],
      ['C1005', seeded.get('liuyang.pm@example.com')],
    ]);
    expect(sandbox!.stats().byResource.talents!.created).toBe(6);
    expect(sandbox!.records('talents')).toHaveLength(8);
    expect(duplicates('talents')).toEqual([]);

    // The interview whose application A2099 is not in applications.csv, and the assessment of that interview.
    const interviewLog = readLog(stateLog(folder, sandbox!.url, 'interviews'));
    expect(interviewLog.filter((line) => line.status === 'blocked')).toEqual([
      expect.objectContaining({
        external_id: 'I3009',
        line: 10,
        field: 'external_application_id',
        msg: "parent 'A2099' not found in step applications (the step has finished without it)",
      }),
    ]);
    const assessmentLog = readLog(stateLog(folder, sandbox!.url, 'assessments'));
    expect(assessmentLog.filter((line) => line.status === 'blocked')).toEqual([
      expect.objectContaining({
        external_id: 'F4009',
        line: 10,
        field: 'external_interview_id',
        msg: "parent 'I3009' not found in step interviews (its record there was logged blocked)",
      }),
    ]);
    expect(readFileSync(join(folder, 'interviews.rejects.csv'), 'utf8').trim().split(/\r?\n/)).toEqual([
      '面试编号,投递编号,面试轮次,面试时间,结束时间,面试官,出席情况,hire_import_error',
      "I3009,A2099,一面,2024-03-15 10:00,2024-03-15 11:00,吴昊,已到场,parent 'A2099' not found in step applications (the step has finished without it)",
    ]);
    expect(readFileSync(join(folder, 'assessments.rejects.csv'), 'utf8')).toContain('F4009,I3009,吴昊');
    expect([stored('interviews').has('I3009'), stored('assessments').has('F4009')]).toEqual([false, false]);
    expect(run.stderr).toContain("external_application_id: parent 'A2099' not found in step applications (the step has finished without it) — 1 record, line 10");
    // Progress: a line as each step starts and as it ends, naming the step.
    for (const { step, input } of steps) {
      expect(run.stderr).toMatch(new RegExp(`^\\S+Z ${step}: start: ${step} from ${input} into ${sandbox!.url} `, 'm'));
      expect(run.stderr).toMatch(new RegExp(`^\\S+Z ${step}: done · ${expectedCounts[step].read}/${expectedCounts[step].read} \\(100%\\)`, 'm'));
    }
  });

  it('prints one JSON object: the plan, its exit code, and per step its name, resource, summary and exit code', async () => {
    await sandboxWithTalents();
    const folder = workspace(...fixtureFiles);
    const document = JSON.parse((await migrate(folder)).stdout);
    expect(Object.keys(document)).toEqual(['plan', 'dryRun', 'ok', 'exitCode', 'steps', 'peakRssMb']);
    expect(document).toMatchObject({ plan: join(folder, 'migration.yaml'), dryRun: false, ok: false, exitCode: 1 });
    expect(document.steps.map((step: Record<string, unknown>) => [step.step, step.resource, step.exitCode, step.ok])).toEqual([
      ['talents', 'talents', 0, true],
      ['applications', 'applications', 0, true],
      ['interviews', 'interviews', 1, false],
      ['assessments', 'assessments', 1, false],
      ['offers', 'offers', 0, true],
      ['background-checks', 'background-checks', 0, true],
    ]);
    expect(document.steps[2]).toMatchObject({
      file: 'interviews.csv',
      log: stateLog(folder, sandbox!.url, 'interviews').slice(folder.length + 1),
      rejects: 'interviews.rejects.csv',
      dryRun: false,
      pending: 0,
      rateLimited: 0,
      problems: [{ line: 10, external_id: 'I3009', field: 'external_application_id', reason: expect.stringContaining("parent 'A2099'") }],
    });
    expect(document.steps[2]).not.toHaveProperty('rerun');
  });

  it('sends nothing when the finished plan runs again, and sends the blocked records once their parent is imported', async () => {
    await sandboxWithTalents();
    const folder = workspace(...fixtureFiles);
    expect((await migrate(folder)).code).toBe(1);
    const before = sandbox!.stats();

    const again = await migrate(folder);
    expect(again.code).toBe(1);
    const after = sandbox!.stats();
    // Only a token was asked for: no request reached any endpoint.
    expect(after.byResource).toEqual(before.byResource);
    expect(after.requests - after.tokensIssued).toBe(before.requests - before.tokensIssued);
    const counts = countsOf(JSON.parse(again.stdout));
    expect(counts.talents).toMatchObject({ read: 8, skipped: 8, created: 0, matched: 0 });
    expect(counts.interviews).toMatchObject({ read: 9, skipped: 8, blocked: 1 });
    expect(counts.assessments).toMatchObject({ read: 9, skipped: 8, blocked: 1 });

    // Blocked is not done: with A2099 added to the applications, the next run creates it, then I3009, then F4009.
    appendFileSync(join(folder, 'applications.csv'), 'A2099,C1008,数据工程师,社招,内推,内推,面试中,2024-03-14 09:00,,\n');
    const fixed = await migrate(folder);
    expect(fixed.code).toBe(0);
    expect(countsOf(JSON.parse(fixed.stdout))).toMatchObject({
      applications: { created: 1, skipped: 9 },
      interviews: { created: 1, skipped: 8, blocked: 0 },
      assessments: { created: 1, skipped: 8, blocked: 0 },
      offers: { created: 0, skipped: 4 },
    });
    const applicationId = loggedIds(folder, 'applications').get('A2099');
    expect(stored('interviews').get('I3009')?.external_application_id).toBe(applicationId);
    expect(stored('assessments').get('F4009')?.external_interview_id).toBe(loggedIds(folder, 'interviews').get('I3009'));
  });

  it('after kill -9 mid-plan, a rerun creates nothing twice on any endpoint, re-sends at most what was in flight, and finishes the plan', async () => {
    // Slow answers keep requests in flight; the sandbox decides a create when it arrives, so a killed run leaves
    // records created whose answers it never read.
    await sandboxWithTalents({ latencyMs: 150 });
    const folder = workspace(...fixtureFiles);
    const concurrency = 4;
    const args = ['migrate', 'migration.yaml', '--rate', '200', '--concurrency', String(concurrency)];
    const started = startCli(args, { cwd: folder, env: credentialEnv(sandbox!.url) });
    const created = () => Object.values(sandbox!.stats().byResource).reduce((sum, counts) => sum + counts.created, 0);
    while (created() < 12 && started.child.exitCode === null) await new Promise((resume) => setTimeout(resume, 5));
    started.child.kill('SIGKILL');
    const killed = await started.done;
    expect(killed.signal).toBe('SIGKILL');
    expect(created()).toBeLessThan(6 + 9 + 8 + 8 + 4 + 3);
    // The dead run's locks are taken over once stale (30 s without a refresh): age them instead of waiting.
    const minuteAgo = new Date(Date.now() - 60_000);
    const state = dirname(stateLog(folder, sandbox!.url, 'talents'));
    for (const lock of readdirSync(state).filter((name) => name.endsWith('.lock'))) utimesSync(join(state, lock), minuteAgo, minuteAgo);

    const rerun = await runCli(args.concat('--json'), { cwd: folder, env: credentialEnv(sandbox!.url) });
    expect(rerun.code).toBe(1);
    expect(countsOf(JSON.parse(rerun.stdout)).interviews).toMatchObject({ blocked: 1 });
    const stats = sandbox!.stats();
    for (const resource of Object.keys(expectedCounts)) {
      expect(duplicates(resource), resource).toEqual([]);
      // A create repeated (its answer lost to the kill) comes back with the record it made: at most those in flight.
      expect(stats.byResource[resource]!.replayed, resource).toBeLessThanOrEqual(concurrency);
    }
    // Finished: every record there, the blocked two aside; the talents already there reused, not created again.
    expect(Object.fromEntries(Object.keys(expectedCounts).map((resource) => [resource, sandbox!.records(resource).length]))).toEqual({
      talents: 8,
      applications: 9,
      interviews: 8,
      assessments: 8,
      offers: 4,
      'background-checks': 3,
    });
    expect(stats.missingParent).toBe(0);
    for (const { step } of steps) {
      const log = readLog(stateLog(folder, sandbox!.url, step));
      const done = log.filter((line) => line.status === 'created' || line.status === 'matched').map((line) => line.external_id);
      expect(new Set(done).size, step).toBe(done.length);
    }
  });

  it.each([
    {
      what: 'a cycle',
      change: (folder: string) => appendFileSync(join(folder, 'talents.yaml'), 'lookups:\n  later: { step: assessments }\n'),
      message: "migration.yaml: the steps' lookups form a cycle: talents -> assessments -> interviews -> applications -> talents",
    },
    {
      what: 'an unknown step',
      change: (folder: string) => edit(join(folder, 'interviews.yaml'), '{ step: applications }', '{ step: aplications }'),
      message: "migration.yaml: steps[2] (interviews): interviews.yaml lookups.applications: no step 'aplications' in this plan (did you mean 'applications'?)",
    },
    {
      what: 'a step the plan lacks',
      change: (folder: string) => edit(join(folder, 'migration.yaml'), '  - { resource: applications, input: applications.csv, mapping: applications.yaml }\n', ''),
      message: "interviews.yaml lookups.applications: no step 'applications' in this plan: add a step for applications, or read an earlier import's result log with { log: FILE }",
    },
  ])('stops a plan with $what with exit 2 before anything is sent', async ({ change, message }) => {
    await sandboxWithTalents();
    const folder = workspace(...fixtureFiles);
    change(folder);
    const run = await migrate(folder);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(sandbox!.stats().requests).toBe(0);
    expect(existsSync(join(folder, 'hire-import-state'))).toBe(false);
  });

  it('runs the fixture end to end with --sandbox: one emulator for every step, every record created but the missing parent’s', async () => {
    const folder = workspace(...fixtureFiles);
    const run = await runCli(['migrate', 'migration.yaml', '--sandbox', '--json'], { cwd: folder });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('sandbox: a local emulator at');
    // No talent is there before the run: all eight are created.
    expect(countsOf(JSON.parse(run.stdout))).toMatchObject({ ...expectedCounts, talents: { read: 8, created: 8, matched: 0 } });
    // The ids chained: the interviews' applications are the ids the applications step logged, in the same sandbox.
    const applications = new Set(loggedIds(folder, 'applications', true).values());
    const interviews = readLog(sandboxLog(folder, 'interviews')).filter((line) => line.status === 'created');
    expect(interviews).toHaveLength(8);
    // The rehearsal's state, all of it beside its logs: one sandbox's records for every step, how each step's run ended.
    expect(readdirSync(join(folder, 'hire-import-state'))).toEqual(['sandbox']);
    const kept = steps.flatMap(({ step }) => [`${step}.results.jsonl`, `${step}.results.jsonl.run`]);
    expect(readdirSync(join(folder, 'hire-import-state', 'sandbox')).sort()).toEqual([...kept, 'sandbox-state.jsonl'].sort());
    expect(applications.size).toBe(9);
  });

  it('checks every step on --dry-run, a parent that would be created standing in for its id: sends and writes nothing', async () => {
    await sandboxWithTalents();
    const folder = workspace(...fixtureFiles);
    const run = await migrate(folder, ['--dry-run']);
    expect(run.code).toBe(1);
    const document = JSON.parse(run.stdout);
    expect(document.steps.map((step: { step: string; wouldCreate: number; counts: { blocked: number } }) => [step.step, step.wouldCreate, step.counts.blocked])).toEqual([
      ['talents', 8, 0],
      ['applications', 9, 0],
      ['interviews', 8, 1],
      ['assessments', 8, 1],
      ['offers', 4, 0],
      ['background-checks', 3, 0],
    ]);
    expect(sandbox!.stats().requests).toBe(0);
    expect(readdirSync(folder).filter((name) => name.endsWith('.jsonl') || name.includes('.rejects.'))).toEqual([]);
    expect(existsSync(join(folder, 'hire-import-state'))).toBe(false);
  });
});

function edit(path: string, from: string, to: string): void {
  const text = readFileSync(path, 'utf8');
  if (!text.includes(from)) throw new Error(`${path} has no ${from}`);
  writeFileSync(path, text.replace(from, to));
}
