/**
 * The core import, end to end: the real CLI as a subprocess against a strict sandbox over loopback.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { credentialEnv, credentials, readLog, runCli, sandboxLog, stateLog, workspace } from '../support/cli.js';

/** What the strict server must have received for fixtures/assessments-with-errors.csv, exactly. */
const expectedBodies = [
  {
    external_id: 'A-1001',
    external_interview_id: '6986199832494934316',
    username: 'zhangwei',
    conclusion: 2,
    content: 'Strong systems design, clear communication.',
    assessment_dimension_list: [
      { assessment_type: 1, title: 'System design', description: 'Architecture and trade-offs', score: 4 },
      { assessment_type: 3, title: 'Notes', content: 'Asked good questions about the team.' },
    ],
  },
  {
    external_id: 'A-1002',
    external_interview_id: '6986199832494934317',
    username: 'lina',
    conclusion: 2,
    content: 'Solid coding round',
    assessment_dimension_list: [
      { assessment_type: 1, title: '编码能力', score: 5 },
      { assessment_type: 2, title: '推荐等级', option: '强烈推荐' },
      { assessment_type: 4, title: '亮点', options: ['算法', '沟通', '项目经验'] },
    ],
  },
  {
    external_id: 'A-1003',
    external_interview_id: '6986199832494934318',
    username: 'wangfang',
    conclusion: 1,
    content: 'Struggled with the "scaling" question,\nbut honest about gaps.',
    assessment_dimension_list: [
      { assessment_type: 1, title: 'Problem solving', score: 2 },
      { assessment_type: 3, title: 'Summary', content: 'Not a fit for this level.' },
    ],
  },
  {
    external_id: 'A-1004',
    external_interview_id: '6986199832494934319',
    username: 'chenjie',
    conclusion: 3,
    content: 'Needs a second round',
    assessment_dimension_list: [{ assessment_type: 2, title: 'Hire recommendation', option: 'Maybe' }],
  },
  {
    external_id: 'A-1005',
    external_interview_id: '6986199832494934320',
    username: 'liuyang',
    conclusion: 2,
    assessment_dimension_list: [
      { assessment_type: 1, title: 'Culture', score: 3 },
      { assessment_type: 4, title: 'Strengths', options: ['Ownership', 'Curiosity'] },
    ],
  },
  {
    external_interview_id: '6986199832494934321',
    username: 'zhaomin',
    conclusion: 3,
    content: 'No external id: hire-import derives a stable one',
    assessment_dimension_list: [{ assessment_type: 3, title: 'Summary', content: 'Good energy' }],
  },
  {
    external_id: 'A-1010',
    external_interview_id: '6986199832494934325',
    username: 'xuhui',
    conclusion: 2,
    content: 'Plain record, one dimension',
    assessment_dimension_list: [{ assessment_type: 1, title: 'Communication', score: 5 }],
  },
];

const expectedInvalid = [
  { external_id: 'A-1007', line: 9, field: 'external_interview_id' },
  { external_id: 'A-1008', line: 10, field: 'conclusion' },
  { external_id: 'A-1009', line: 11, field: 'assessment_dimension_list[0].score' },
];

let sandbox: Sandbox;
let folder: string;

beforeEach(async () => {
  sandbox = await startSandbox(credentials);
  folder = workspace('fixtures/assessments-with-errors.csv');
});
afterEach(() => sandbox.close());

function receivedBodies() {
  return sandbox.assessments().map((stored) => {
    const { external_id, ...rest } = stored.body as { external_id?: string };
    return external_id?.startsWith('hi-') ? rest : stored.body;
  });
}

describe('hire-import assessments', () => {
  it('lands every valid record with its exact body, logs each outcome, and never sends the invalid ones', async () => {
    const run = await runCli(['assessments', 'assessments-with-errors.csv'], { cwd: folder, env: credentialEnv(sandbox.url) });
    expect(run.stderr).toContain('created 7');
    expect(run.code).toBe(1);
    expect(receivedBodies()).toEqual(expect.arrayContaining(expectedBodies));
    expect(sandbox.assessments()).toHaveLength(expectedBodies.length);
    expect(sandbox.stats().invalid).toBe(0);

    const log = readLog(stateLog(folder, sandbox.url));
    const created = log.filter((entry) => entry.status === 'created');
    expect(created).toHaveLength(7);
    const stored = new Map(sandbox.assessments().map((assessment) => [assessment.body.external_id, assessment.id]));
    for (const entry of created) expect(entry.id).toBe(stored.get(entry.external_id));
    expect(created.find((entry) => entry.external_id === 'A-1003')?.line).toBe(4);
    expect(created.find((entry) => entry.external_id === 'A-1010')?.line).toBe(12);
    const derived = created.find((entry) => String(entry.external_id).startsWith('hi-'));
    expect(derived?.line).toBe(8);
    const invalid = log.filter((entry) => entry.status === 'invalid');
    expect(invalid.map(({ external_id, line, field }) => ({ external_id, line, field }))).toEqual(expectedInvalid);
    for (const entry of [...created, ...invalid]) expect(Date.parse(String(entry.at))).not.toBeNaN();
    // The summary groups the problems by reason, each with its count and lines.
    expect(run.stderr).toMatch(/\n {4}conclusion: 'maybe' is not one of 1 不通过 fail.* — 1 record, line 10\n/);
  });

  it('a rerun sends no create, and the derived external_id is stable', async () => {
    const env = credentialEnv(sandbox.url);
    await runCli(['assessments', 'assessments-with-errors.csv'], { cwd: folder, env });
    const before = sandbox.stats();
    const second = await runCli(['assessments', 'assessments-with-errors.csv', '--json'], { cwd: folder, env });
    const after = sandbox.stats();
    expect(after.requests - before.requests).toBe(after.tokensIssued - before.tokensIssued); // a token, nothing else
    expect(after).toMatchObject({ created: before.created, replayed: before.replayed });
    expect(sandbox.assessments()).toHaveLength(7);
    const summary = JSON.parse(second.stdout);
    expect(summary.counts).toMatchObject({ read: 10, created: 0, skipped: 7, invalid: 3, failed: 0 });
  });

  it('writes the rejected rows to a rejects file that imports once fixed, with no duplicates', async () => {
    const env = credentialEnv(sandbox.url);
    const first = await runCli(['assessments', 'assessments-with-errors.csv'], { cwd: folder, env });
    const rejectsPath = join(folder, 'assessments-with-errors.rejects.csv');
    const rejects = readFileSync(rejectsPath, 'utf8');
    expect(rejects.split('\n').filter(Boolean)).toHaveLength(4);
    expect(rejects).toContain('A-1007');
    // The state belongs to the target and the resource: the fixed file needs no --log to find it.
    expect(first.stderr).toContain('fix them there, then: hire-import assessments assessments-with-errors.rejects.csv\n');
    const fixed = rejects
      .replace('A-1007,,', 'A-1007,6986199832494934322,')
      .replace(',maybe,', ',待定,')
      .replace(',four,', ',3,');
    writeFileSync(rejectsPath, fixed);
    const second = await runCli(['assessments', 'assessments-with-errors.rejects.csv', '--json'], { cwd: folder, env });
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout).counts).toMatchObject({ created: 3, invalid: 0 });
    // One log for both files: each line says which file its line number belongs to.
    const fromRejects = readLog(stateLog(folder, sandbox.url))
      .filter((entry) => entry.file === 'assessments-with-errors.rejects.csv')
      .sort((a, b) => Number(a.line) - Number(b.line)); // concurrent answers are logged in any order
    expect(fromRejects.map(({ external_id, status, line }) => ({ external_id, status, line }))).toEqual([
      { external_id: 'A-1007', status: 'created', line: 2 },
      { external_id: 'A-1008', status: 'created', line: 3 },
      { external_id: 'A-1009', status: 'created', line: 4 },
    ]);
    expect(sandbox.assessments()).toHaveLength(10);
    const third = await runCli(['assessments', 'assessments-with-errors.csv', '--json'], { cwd: folder, env });
    expect(third.code).toBe(0);
    expect(JSON.parse(third.stdout).counts).toMatchObject({ created: 0, skipped: 10, invalid: 0 });
    expect(sandbox.stats().replayed).toBe(0);
  });

  it('--dry-run reads, maps and validates without touching the network or writing files', async () => {
    const run = await runCli(['assessments', 'assessments-with-errors.csv', '--dry-run', '--json'], {
      cwd: folder,
      env: { FEISHU_BASE_URL: 'http://127.0.0.1:9' },
    });
    expect(run.code).toBe(1);
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({ dryRun: true, wouldCreate: 7, log: null, counts: { invalid: 3, read: 10 }, ok: false, exitCode: 1 });
    expect(summary.problems.map((problem: { line: number }) => problem.line)).toEqual([9, 10, 11]);
    expect(existsSync(join(folder, 'hire-import-state'))).toBe(false);
    expect(existsSync(join(folder, 'assessments-with-errors.rejects.csv'))).toBe(false);
  });

  it('imports JSONL records that already are request bodies, from stdin', async () => {
    const lines = expectedBodies.slice(0, 3).map((body) => JSON.stringify(body)).join('\n');
    const run = await runCli(['assessments', '-', '--format', 'jsonl', '--log', 'stdin.results.jsonl'], {
      cwd: folder,
      env: credentialEnv(sandbox.url),
      input: `${lines}\n`,
    });
    expect(run.code).toBe(0);
    // Requests leave in order but on several connections, so a loaded machine may deliver them in another order.
    const byId = (a: Record<string, unknown>, b: Record<string, unknown>) => String(a.external_id).localeCompare(String(b.external_id));
    expect(sandbox.assessments().map((stored) => stored.body).sort(byId)).toEqual(expectedBodies.slice(0, 3));
    expect(readLog(join(folder, 'stdin.results.jsonl')).map((entry) => entry.status)).toEqual(['created', 'created', 'created']);
  });

  it('never prints or logs the app secret or the token', async () => {
    const run = await runCli(['assessments', 'assessments-with-errors.csv', '--json'], {
      cwd: folder,
      env: credentialEnv(sandbox.url),
    });
    const log = readFileSync(stateLog(folder, sandbox.url), 'utf8');
    expect(run.stderr).toMatch(/^\S+Z start: assessments from assessments-with-errors.csv into http:\/\/127\.0\.0\.1:\d+ \(app cli_test_app\)/m);
    for (const text of [run.stdout, run.stderr, log]) {
      expect(text).not.toContain(credentials.appSecret);
      expect(text).not.toMatch(/t-[0-9a-f]{8,}/);
    }
  });

  it('stops with exit 2 and a clear message on missing or refused credentials, before reading records', async () => {
    const missing = await runCli(['assessments', 'assessments-with-errors.csv'], { cwd: folder });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/FEISHU_APP_ID/);
    const refused = await runCli(['assessments', 'assessments-with-errors.csv'], {
      cwd: folder,
      env: { ...credentialEnv(sandbox.url), FEISHU_APP_SECRET: 'wrong-secret-4711' },
    });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/refused the app credentials/);
    expect(refused.stderr).not.toContain('wrong-secret-4711');
    expect(sandbox.assessments()).toHaveLength(0);
  });

  it('rejects bad usage with exit 2', async () => {
    expect((await runCli(['assessments', 'missing.csv'], { cwd: folder })).code).toBe(2);
    expect((await runCli(['assessments', 'assessments-with-errors.csv', '--rate', 'fast'], { cwd: folder })).code).toBe(2);
    expect((await runCli(['nonsense'], { cwd: folder })).code).toBe(2);
    const help = await runCli(['assessments', '--help'], { cwd: folder });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/130\s+interrupted/);
  });

  it('the Quick start: fixtures/assessments.csv imports into --sandbox with exit 0, and a rerun has nothing to do', async () => {
    const quickStart = workspace('fixtures/assessments.csv');
    const first = await runCli(['assessments', 'assessments.csv', '--sandbox', '--json'], { cwd: quickStart });
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout).counts).toMatchObject({ read: 7, created: 7, invalid: 0, failed: 0 });
    const again = await runCli(['assessments', 'assessments.csv', '--sandbox', '--json'], { cwd: quickStart });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ requests: 0, counts: { created: 0, skipped: 7 } });
  });

  it('--sandbox rehearses the whole import with no credentials, keeping a log of its own and its sandbox beside it', async () => {
    const run = await runCli(['assessments', 'assessments-with-errors.csv', '--sandbox', '--json'], { cwd: folder });
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).counts).toMatchObject({ created: 7, invalid: 3 });
    expect(readdirSync(join(folder, 'hire-import-state'))).toEqual(['sandbox']);
    expect(readdirSync(join(folder, 'hire-import-state', 'sandbox')).sort()).toEqual(['assessments.results.jsonl', 'assessments.results.jsonl.run', 'sandbox-state.jsonl']);
    expect(readLog(sandboxLog(folder))).toHaveLength(10);
  });
});
