/**
 * The rejects file, end to end: each refused record with its reason in a last column (CSV) or field (JSONL) that a
 * rerun skips; fixed in place and imported with the printed command, the records are created. A rejects file the
 * user edited is never replaced. And only the missing credential is named.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { credentialEnv, credentials, readLog, runCli, stateLog, workspace, type CliRun } from '../support/cli.js';

let sandbox: Sandbox;
let folder: string;
let env: Record<string, string>;

beforeEach(async () => {
  sandbox = await startSandbox(credentials);
  folder = workspace('fixtures/assessments-with-errors.csv', 'fixtures/legacy/long.csv', 'fixtures/legacy/long.mapping.yaml');
  env = credentialEnv(sandbox.url);
});
afterEach(() => sandbox.close());

/** The command the summary prints after "fix them there, then:", as arguments for runCli. */
function printedRerun(run: CliRun): string[] {
  const command = /fix them there, then: (.+)\n/.exec(run.stderr)?.[1];
  expect(command).toBeDefined();
  const [program, ...args] = command!.split(' ');
  expect(program).toBe('hire-import');
  return args;
}

function stored(externalId: string): Record<string, unknown> | undefined {
  return sandbox.assessments().find((record) => record.body.external_id === externalId)?.body;
}

describe('the reason column', () => {
  it('a CSV: each refused row with its log msg in a last column; fixed in place, the printed command imports it, the column neither sent nor warned about', async () => {
    const first = await runCli(['assessments', 'assessments-with-errors.csv'], { cwd: folder, env });
    expect(first.code).toBe(1);
    const rejectsPath = join(folder, 'assessments-with-errors.rejects.csv');
    const input = readFileSync(join(folder, 'assessments-with-errors.csv'), 'utf8').split('\n');
    const row = (id: string) => input.find((line) => line.startsWith(`${id},`));
    const rejects = readFileSync(rejectsPath, 'utf8');
    expect(rejects).toBe(
      [
        `${input[0]},hire_import_error`,
        `${row('A-1007')},external_interview_id: is required`,
        `${row('A-1008')},"conclusion: 'maybe' is not one of 1 不通过 fail, 2 通过 pass, 3 待定 pending (from column conclusion)"`,
        `${row('A-1009')},assessment_dimension_list[0].score: 'four' is not an integer (from column dim1_score)`,
        '',
      ].join('\n'),
    );
    // The reason is the text the log's msg holds.
    const invalid = readLog(stateLog(folder, sandbox.url)).filter((entry) => entry.status === 'invalid');
    const reasons = (parse(rejects, { columns: true }) as Array<Record<string, string>>).map((record) => record.hire_import_error);
    expect(reasons).toEqual(invalid.map((entry) => entry.msg));

    // The user fixes the cells, leaves the reasons, and runs what the summary printed.
    writeFileSync(rejectsPath, rejects.replace('A-1007,,', 'A-1007,6986199832494934322,').replace(',maybe,', ',待定,').replace(',four,', ',3,'));
    const args = printedRerun(first);
    // The state of the target and resource is found again: no --log to give.
    expect(args).toEqual(['assessments', 'assessments-with-errors.rejects.csv']);
    const fixed = await runCli([...args, '--json'], { cwd: folder, env });
    expect(fixed.code).toBe(0);
    expect(JSON.parse(fixed.stdout).counts).toMatchObject({ read: 3, created: 3, invalid: 0, failed: 0 });
    expect(fixed.stderr).not.toContain('hire_import_error');
    expect(sandbox.stats().invalid).toBe(0);
    expect(stored('A-1007')).toEqual({
      external_id: 'A-1007',
      external_interview_id: '6986199832494934322',
      username: 'sunli',
      conclusion: 2,
      content: 'Missing the interview id',
      assessment_dimension_list: [{ assessment_type: 1, title: 'Coding', score: 4 }],
    });
    expect(stored('A-1008')).toMatchObject({ conclusion: 3 });
    expect(stored('A-1009')).not.toHaveProperty('hire_import_error');
    expect(existsSync(join(folder, 'assessments-with-errors.rejects.rejects.csv'))).toBe(false);
  });

  it('preview and --dry-run of a rejects file do not count the reason column as a column the mapping never reads', async () => {
    await runCli(['assessments', 'long.csv', '--mapping', 'long.mapping.yaml'], { cwd: folder, env });
    for (const command of [['preview', 'long.rejects.csv'], ['assessments', 'long.rejects.csv', '--dry-run']]) {
      const run = await runCli([...command, '--mapping', 'long.mapping.yaml'], { cwd: folder });
      expect(run.stderr).not.toContain('hire_import_error');
    }
    // The input itself has a column the mapping never reads, which is still said.
    writeFileSync(join(folder, 'extra.csv'), `${readFileSync(join(folder, 'long.csv'), 'utf8').split('\n')[0]},notes\n`);
    const extra = await runCli(['preview', 'extra.csv', '--mapping', 'long.mapping.yaml'], { cwd: folder });
    expect(extra.stderr).toContain('no value of the mapping reads the column notes');
  });

  it('a long file: the reason on each row of the refused group; fixed, the group imports whole', async () => {
    const first = await runCli(['assessments', 'long.csv', '--mapping', 'long.mapping.yaml'], { cwd: folder, env });
    expect(first.code).toBe(1);
    const reason = `"assessment_dimension_list[0].score: 'five' is not an integer (from column answer, line 14)"`;
    const rejectsPath = join(folder, 'long.rejects.csv');
    const rejects = readFileSync(rejectsPath, 'utf8');
    expect(rejects).toBe(
      [
        'feedback_id,interview_id,interviewer,verdict,kind,dimension,answer,hire_import_error',
        `F-5,7010000000000002005,erin,hire,rating,Coding,five,${reason}`,
        `F-5,7010000000000002005,erin,hire,comment,Summary,Strong on systems,${reason}`,
        `F-5,7010000000000002005,erin,hire,choice,Level,P7,${reason}`,
        '',
      ].join('\n'),
    );
    writeFileSync(rejectsPath, rejects.replace(',five,', ',5,'));
    const fixed = await runCli(printedRerun(first), { cwd: folder, env });
    expect(fixed.code).toBe(0);
    expect(stored('F-5')).toEqual({
      external_id: 'F-5',
      external_interview_id: '7010000000000002005',
      username: 'erin',
      conclusion: 2,
      assessment_dimension_list: [
        { assessment_type: 1, title: 'Coding', score: 5 },
        { assessment_type: 3, title: 'Summary', content: 'Strong on systems' },
        { assessment_type: 2, title: 'Level', option: 'P7' },
      ],
    });
  });

  it('JSONL: the reason as the last field of the line, the rest of the line as it was; fixed, it imports with every digit', async () => {
    const good = '{"external_id": "J-1", "external_interview_id": 6986199832494934316, "conclusion": 2}';
    const bad = '{"external_id": "J-2", "external_interview_id": 6986199832494934317, "conclusion": "maybe"}';
    writeFileSync(join(folder, 'export.jsonl'), `${good}\n${bad}\n`);
    const first = await runCli(['assessments', 'export.jsonl'], { cwd: folder, env });
    expect(first.code).toBe(1);
    const rejectsPath = join(folder, 'export.rejects.jsonl');
    const msg = readLog(stateLog(folder, sandbox.url)).find((entry) => entry.status === 'invalid')?.msg;
    expect(msg).toMatch(/^conclusion: 'maybe' is not one of/);
    expect(readFileSync(rejectsPath, 'utf8')).toBe(`${bad.slice(0, -1)},"hire_import_error":${JSON.stringify(msg)}}\n`);

    writeFileSync(rejectsPath, readFileSync(rejectsPath, 'utf8').replace('"conclusion": "maybe"', '"conclusion": 1'));
    const fixed = await runCli([...printedRerun(first), '--json'], { cwd: folder, env });
    expect(fixed.code).toBe(0);
    expect(JSON.parse(fixed.stdout).counts).toMatchObject({ created: 1, invalid: 0 });
    expect(stored('J-2')).toEqual({ external_id: 'J-2', external_interview_id: '6986199832494934317', conclusion: 1 });
  });
});

describe('a rejects file the user edited', () => {
  it('is kept byte for byte: the next run writes its rejects under a new name and says so; an unedited one is replaced', async () => {
    const rejectsPath = join(folder, 'assessments-with-errors.rejects.csv');
    const newPath = join(folder, 'assessments-with-errors.rejects-2.csv');
    const importInput = () => runCli(['assessments', 'assessments-with-errors.csv', '--json'], { cwd: folder, env });

    // Unedited since written: replaced under the same name, as before.
    await importInput();
    const again = await importInput();
    expect(again.stderr).not.toContain('edited since');
    expect(JSON.parse(again.stdout)).toMatchObject({ rejects: 'assessments-with-errors.rejects.csv', rejectsKept: [] });

    // The user starts fixing it; meanwhile the export gains a new bad row and is imported again.
    const edited = readFileSync(rejectsPath, 'utf8').replace('A-1007,,', 'A-1007,6986199832494934322,');
    writeFileSync(rejectsPath, edited);
    writeFileSync(join(folder, 'assessments-with-errors.csv'), 'A-1011,6986199832494934326,qianli,nope,New bad row\n', { flag: 'a' });
    const run = await importInput();
    expect(run.code).toBe(1);
    expect(readFileSync(rejectsPath, 'utf8')).toBe(edited);
    expect(run.stderr).toContain(
      "  assessments-with-errors.rejects.csv was edited since it was written: kept it; this run's rejects are in assessments-with-errors.rejects-2.csv\n",
    );
    expect(run.stderr).toContain('fix them there, then: hire-import assessments assessments-with-errors.rejects-2.csv\n');
    expect(JSON.parse(run.stdout)).toMatchObject({
      rejects: 'assessments-with-errors.rejects-2.csv',
      rejectsKept: ['assessments-with-errors.rejects.csv'],
    });
    // The new row is short; its reason still lands in the reason column.
    const records = parse(readFileSync(newPath, 'utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(records.map((record) => record.external_id)).toEqual(['A-1007', 'A-1008', 'A-1009', 'A-1011']);
    expect(records[3]).toMatchObject({ content: 'New bad row', dim1_type: '', hire_import_error: expect.stringMatching(/^conclusion: 'nope' is not one of/) });

    // The new one, not edited, is replaced by the next run; the edited one stays.
    const third = await importInput();
    expect(JSON.parse(third.stdout)).toMatchObject({ rejects: 'assessments-with-errors.rejects-2.csv' });
    expect(existsSync(join(folder, 'assessments-with-errors.rejects-3.csv'))).toBe(false);
    expect(readFileSync(rejectsPath, 'utf8')).toBe(edited);
  });
});

describe('missing credentials', () => {
  it.each([
    ['only the secret', { FEISHU_APP_ID: credentials.appId }, [], 'FEISHU_APP_SECRET is not set (or --app-secret)', 'FEISHU_APP_ID'],
    ['only the id', {}, ['--app-secret', credentials.appSecret], 'FEISHU_APP_ID is not set (or --app-id)', 'FEISHU_APP_SECRET'],
    ['both', {}, [], 'FEISHU_APP_ID is not set (or --app-id); FEISHU_APP_SECRET is not set (or --app-secret)', undefined],
  ])('%s missing: names just that, exit 2, nothing read or sent', async (_name, variables, flags, message, notNamed) => {
    const run = await runCli(['assessments', 'assessments-with-errors.csv', ...flags], { cwd: folder, env: { FEISHU_BASE_URL: sandbox.url, ...variables } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${message}; rehearse with --sandbox, or check the input with --dry-run`);
    if (notNamed) expect(run.stderr).not.toContain(notNamed);
    expect(run.stderr).not.toContain(credentials.appSecret);
    expect(sandbox.stats().requests).toBe(0);
    // Credentials are checked before any file is written.
    expect(existsSync(join(folder, 'hire-import-state'))).toBe(false);
  });
});
