/**
 * `hire-import verify` end to end: interviews and their assessments imported into the sandbox by two imports (the
 * assessments look their interviews up in the interviews' log), one assessment removed and one changed on the
 * server behind the tool's back, then verify, a fix with --update-changed, and verify again; by resource and by plan.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { credentialEnv, credentials, readLog, runCli, stateLog, workspace } from '../support/cli.js';

let sandbox: Sandbox;
beforeEach(async () => {
  sandbox = await startSandbox({ ...credentials, rateLimit: 0 });
});
afterEach(async () => {
  await sandbox.close();
});

const interviewsCsv = ['面试编号,投递编号,面试时间,出席情况', 'I-1,7000000000000000001,2024-03-05 14:00,已到场', 'I-2,7000000000000000001,2024-03-08 10:00,未到场', 'I-3,7000000000000000002,2024-03-07 16:00,已到场'];
const interviewsYaml = `input: { timezone: Asia/Shanghai }
fields:
  external_id: 面试编号
  external_application_id: 投递编号
  begin_time: 面试时间
  participate_status: { from: 出席情况, map: { 已到场: 2, 已取消: 1, 未到场: 3 } }
`;
const assessmentsCsv = [
  '面评编号,面试编号,面试官,面试结论,综合评价',
  'F-1,I-1,张磊,通过,基础扎实',
  'F-2,I-1,李娜,通过,"大型项目经验丰富,能带团队"',
  'F-3,I-2,王强,待定,需再评估',
  'F-4,I-3,陈晨,也许,结论不明',
  'F-5,I-9,赵敏,不通过,面试不在导出里',
];
/** `interviewsLog`: where the interviews' import keeps its log (the state of the target), from the mapping's folder. */
const assessmentsYaml = (interviewsLog: string) => `lookups:
  interviews: { log: ${interviewsLog} }
fields:
  external_id: 面评编号
  external_interview_id: { from: 面试编号, lookup: interviews }
  username: 面试官
  conclusion: { from: 面试结论, map: { 通过: 2, 不通过: 1, 待定: 3 } }
  content: 综合评价
`;
const planYaml = `steps:
  - { resource: interviews, input: interviews.csv, mapping: interviews.yaml }
  - { resource: assessments, input: assessments.csv, mapping: assessments.yaml }
`;

/** The export, mappings and plan in a fresh folder; interviews then assessments imported into the sandbox. */
async function imported() {
  const folder = workspace();
  const write = (name: string, text: string) => writeFileSync(join(folder, name), text);
  write('interviews.csv', `${interviewsCsv.join('\n')}\n`);
  write('interviews.yaml', interviewsYaml);
  write('assessments.csv', `${assessmentsCsv.join('\n')}\n`);
  write('assessments.yaml', assessmentsYaml(relative(folder, stateLog(folder, sandbox.url, 'interviews'))));
  write('migration.yaml', planYaml);
  const env = credentialEnv(sandbox.url);
  const cli = (...args: string[]) => runCli(args, { cwd: folder, env });
  expect((await cli('interviews', 'interviews.csv', '-m', 'interviews.yaml', '--quiet')).code).toBe(0);
  expect((await cli('assessments', 'assessments.csv', '-m', 'assessments.yaml', '--quiet')).code).toBe(1); // F-4, F-5 invalid
  const ids = Object.fromEntries(
    readLog(stateLog(folder, sandbox.url))
      .filter((entry) => entry.status === 'created')
      .map((entry) => [entry.external_id as string, entry.id as string]),
  );
  return { folder, cli, write, ids };
}

const header = 'resource,file,line,external_id,id,status,field,export_value,server_value,detail';
const f4 = `assessments,assessments.csv,5,F-4,,not imported,,,,"invalid: conclusion: '也许' is not in the map: 通过, 不通过, 待定 (from column 面试结论)"`;
const f5 = "assessments,assessments.csv,6,F-5,,not imported,,,,invalid: external_interview_id: 'I-9' is not a key of lookup interviews in interviews.results.jsonl (from column 面试编号)";

describe('verify', () => {
  it('finds exactly the record removed and the record changed on the server, and the rows not imported', async () => {
    const { folder, cli, ids } = await imported();
    expect(Object.keys(ids).sort()).toEqual(['F-1', 'F-2', 'F-3']); // answers arrive in any order
    expect(sandbox.removeRecord('assessments', ids['F-1']!)).toBe(true);
    sandbox.changeRecord('assessments', ids['F-2']!, { conclusion: 1, content: '经验一般' });

    const run = await cli('verify', 'assessments', 'assessments.csv', '-m', 'assessments.yaml');
    expect(run.code).toBe(1);
    expect(readFileSync(join(folder, 'assessments.verify.csv'), 'utf8')).toBe(
      `\uFEFF${[
        header,
        `assessments,assessments.csv,2,F-1,${ids['F-1']},missing,,,,the log says it was created as ${ids['F-1']}; Feishu has no such external interview assessment`,
        `assessments,assessments.csv,3,F-2,${ids['F-2']},differs,conclusion,2,1,`,
        `assessments,assessments.csv,3,F-2,${ids['F-2']},differs,content,"大型项目经验丰富,能带团队",经验一般,`,
        f4,
        f5,
      ].join('\r\n')}\r\n`,
    );
    expect(run.stderr).toMatch(/^verify: 5 records from assessments\.csv checked against Feishu in .+ \(.+ records\/s, 1 read request\)$/m);
    expect(run.stderr).toMatch(/^ +ok +missing +differs +not imported +not checked\n +assessments +1 +1 +1 +2 +0$/m);
    expect(run.stderr).toContain('report: assessments.verify.csv (4 records not ok)');
    expect(run.stderr).toContain('1 record differs: the log now says so, and importing again with --update-changed sends');
    expect(run.stderr).toContain('  hire-import assessments assessments.csv --mapping assessments.yaml --update-changed');
    expect(run.stderr).toContain('1 record missing: logged as created, not on Feishu');
    expect(run.stderr).toContain('✖ 4 records not as the export says');
    expect(readLog(stateLog(folder, sandbox.url)).at(-1)).toMatchObject({
      external_id: 'F-2',
      status: 'differs',
      id: ids['F-2'],
      line: 3,
      field: 'conclusion',
      msg: 'verify: on Feishu conclusion, content differ from the export',
    });

    // The export fixed where it was wrong, and the changed record sent again: what remains is the record removed,
    // which the log still says exists, and the row whose interview is not in the export.
    writeFileSync(join(folder, 'assessments.csv'), `${assessmentsCsv.join('\n').replace('也许', '待定')}\n`);
    const update = await cli('assessments', 'assessments.csv', '-m', 'assessments.yaml', '--update-changed', '--json', '--quiet');
    expect(JSON.parse(update.stdout).counts).toMatchObject({ created: 1, updated: 1, skipped: 2, invalid: 1 });
    const again = await cli('verify', 'assessments', 'assessments.csv', '-m', 'assessments.yaml', '--json');
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout)).toMatchObject({ ok: false, exitCode: 1, counts: { ok: 3, missing: 1, differs: 0, 'not imported': 1, 'not checked': 0 } });
    expect(readFileSync(join(folder, 'assessments.verify.csv'), 'utf8')).toBe(
      `\uFEFF${[header, `assessments,assessments.csv,2,F-1,${ids['F-1']},missing,,,,the log says it was created as ${ids['F-1']}; Feishu has no such external interview assessment`, f5].join('\r\n')}\r\n`,
    );
  });

  it('verifies every step of a plan at once; an interview is ok beside the assessments created on their own', async () => {
    const { folder, cli, ids } = await imported();
    sandbox.changeRecord('assessments', ids['F-3']!, { username: '王 强' });
    const run = await cli('verify', 'migration.yaml', '--json');
    expect(run.code).toBe(1);
    const summary = JSON.parse(run.stdout);
    expect(summary.steps.map((step: { step: string; counts: unknown }) => [step.step, step.counts])).toEqual([
      ['interviews', { ok: 3, missing: 0, differs: 0, 'not imported': 0, 'not checked': 0 }],
      ['assessments', { ok: 2, missing: 0, differs: 1, 'not imported': 2, 'not checked': 0 }],
    ]);
    expect(summary).toMatchObject({ records: 8, report: 'migration.verify.csv', updateCommand: 'hire-import migrate migration.yaml --update-changed' });
    const report = readFileSync(join(folder, 'migration.verify.csv'), 'utf8').split('\r\n');
    expect(report[1]).toBe(`assessments,${join(folder, 'assessments.csv')},4,F-3,${ids['F-3']},differs,username,王强,王 强,`);
    expect(report).toHaveLength(5); // header, three rows, the final line break
  });

  it('exits 0 when every record is on Feishu as the export says, and removes a stale report', async () => {
    const { folder, cli, write } = await imported();
    write('assessments.csv', `${assessmentsCsv.slice(0, 4).join('\n')}\n`);
    write('assessments.verify.csv', 'stale');
    const run = await cli('verify', 'assessments', 'assessments.csv', '-m', 'assessments.yaml');
    expect(run.stderr).toContain('✔ every record checked is on Feishu as the export says');
    expect(run.code).toBe(0);
    expect(existsSync(join(folder, 'assessments.verify.csv'))).toBe(false);
  });

  it('reports talents as not checked, which does not fail the verify', async () => {
    const folder = workspace();
    writeFileSync(join(folder, 'talents.jsonl'), `${JSON.stringify({ external_id: 'C-1', basic_info: { name: '张磊', email: 'zl@example.com' } })}\n`);
    const env = credentialEnv(sandbox.url);
    expect((await runCli(['talents', 'talents.jsonl', '--quiet'], { cwd: folder, env })).code).toBe(0);
    const run = await runCli(['verify', 'talents', 'talents.jsonl'], { cwd: folder, env });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('talents: 1 record not checked (the report says why); they do not change the exit code');
    expect(readFileSync(join(folder, 'talents.verify.csv'), 'utf8')).toContain('talents,talents.jsonl,,,,not checked,,,,1 record created: Feishu has no way to read talents back by id');
  });
});

/**
 * A whole chain of 20 applications as a legacy export has it: a talent each, an interview each with two assessments
 * created on their own, an offer and a background check each with attachment ids.
 */
function chainOf20(folder: string): void {
  const write = (name: string, lines: string[]) => writeFileSync(join(folder, name), `${lines.join('\n')}\n`);
  const n = Array.from({ length: 20 }, (_, index) => index + 1);
  write('candidates.csv', ['key,name,email', ...n.map((i) => `C${i},候选人${i},c${i}@example.com`)]);
  write('applications.csv', ['key,candidate,job', ...n.map((i) => `A${i},C${i},工程师${i}`)]);
  write('interviews.csv', ['key,application,at,attended', ...n.map((i) => `I${i},A${i},2024-03-${String(i).padStart(2, '0')} 10:00,2`)]);
  write('assessments.csv', ['key,interview,who,verdict,notes', ...n.flatMap((i) => [`F${i}a,I${i},张磊,2,好${i}`, `F${i}b,I${i},李娜,3,再看${i}`])]);
  write('offers.csv', ['key,application,status,files', ...n.map((i) => `O${i},A${i},accepted,71${i}01|71${i}02`)]);
  write('checks.csv', ['key,application,result,files', ...n.map((i) => `B${i},A${i},clear,72${i}01`)]);
  const yaml = (lookup: string, fields: string) => `${lookup}fields:\n${fields}`;
  const step = (name: string) => `lookups:\n  ${name}: { step: ${name} }\n`;
  writeFileSync(join(folder, 'talents.yaml'), yaml('', '  external_id: key\n  basic_info.name: name\n  basic_info.email: email\n'));
  writeFileSync(join(folder, 'applications.yaml'), yaml(step('talents'), '  external_id: key\n  talent_id: { from: candidate, lookup: talents }\n  job_title: job\n'));
  writeFileSync(join(folder, 'interviews.yaml'), yaml(`input: { timezone: Asia/Shanghai }\n${step('applications')}`, '  external_id: key\n  external_application_id: { from: application, lookup: applications }\n  begin_time: at\n  participate_status: attended\n'));
  writeFileSync(join(folder, 'assessments.yaml'), yaml(step('interviews'), '  external_id: key\n  external_interview_id: { from: interview, lookup: interviews }\n  username: who\n  conclusion: verdict\n  content: notes\n'));
  writeFileSync(join(folder, 'offers.yaml'), yaml(step('applications'), '  external_id: key\n  external_application_id: { from: application, lookup: applications }\n  offer_status: status\n  attachment_id_list: { from: files, split: "|" }\n'));
  writeFileSync(join(folder, 'checks.yaml'), yaml(step('applications'), '  external_id: key\n  external_application_id: { from: application, lookup: applications }\n  result: result\n  attachment_id_list: { from: files, split: "|" }\n'));
  writeFileSync(
    join(folder, 'migration.yaml'),
    `steps:\n${[
      ['talents', 'candidates.csv'],
      ['applications', 'applications.csv'],
      ['interviews', 'interviews.csv'],
      ['assessments', 'assessments.csv'],
      ['offers', 'offers.csv'],
      ['background-checks', 'checks.csv'],
    ]
      .map(([resource, input]) => `  - { resource: ${resource}, input: ${input}, mapping: ${resource === 'background-checks' ? 'checks' : resource}.yaml }\n`)
      .join('')}`,
  );
}

describe.each(['docs', 'sdk'] as const)("verify of an intact migration, the sandbox answering in the %s' reading", (reading) => {
  it('is clean: every record matched by the Feishu id its log holds, only the fields the answer carries compared', async () => {
    await sandbox.close();
    sandbox = await startSandbox({ ...credentials, rateLimit: 0, reading });
    const folder = workspace();
    chainOf20(folder);
    const env = credentialEnv(sandbox.url);
    const migrated = await runCli(['migrate', 'migration.yaml', '--quiet'], { cwd: folder, env });
    expect(migrated.code).toBe(0);
    expect(sandbox.records('assessments')).toHaveLength(40);
    expect(sandbox.records('offers').map((record) => (record.body.attachment_id_list as string[]).length)).toEqual(Array(20).fill(2));
    const run = await runCli(['verify', 'migration.yaml', '--json'], { cwd: folder, env });
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary.steps.map((step: { step: string; counts: Record<string, number> }) => [step.step, step.counts.ok, step.counts.differs, step.counts.missing])).toEqual([
      ['talents', 0, 0, 0],
      ['applications', 20, 0, 0],
      ['interviews', 20, 0, 0],
      ['assessments', 40, 0, 0],
      ['offers', 20, 0, 0],
      ['background-checks', 20, 0, 0],
    ]);
  });
});

describe('migrate --update-changed, as verify advises it', () => {
  it('sends nothing after a migrate, then only what changed; an offer update of 11 attachment ids is refused before sending', async () => {
    const folder = workspace();
    chainOf20(folder);
    const env = credentialEnv(sandbox.url);
    const cli = (...args: string[]) => runCli(args, { cwd: folder, env });
    expect((await cli('migrate', 'migration.yaml', '--quiet')).code).toBe(0);
    type Steps = { steps: Array<{ counts: Record<string, number> }> };
    const counts = (run: { stdout: string }, name: string) => (JSON.parse(run.stdout) as Steps).steps.map((step) => step.counts[name]);

    // One hash for every path: the plan logged the bodies as sent, so nothing reads as changed.
    const unchanged = await cli('migrate', 'migration.yaml', '--update-changed', '--json');
    expect(unchanged.code).toBe(0);
    expect(counts(unchanged, 'updated')).toEqual([0, 0, 0, 0, 0, 0]);
    expect(counts(unchanged, 'skipped')).toEqual([20, 20, 20, 40, 20, 20]);
    expect(sandbox.stats().updated).toBe(0);

    const checkId = readLog(stateLog(folder, sandbox.url, 'background-checks')).find((entry) => entry.external_id === 'B1')!.id as string;
    sandbox.changeRecord('background-checks', checkId, { result: 'pending' });
    const offers = readFileSync(join(folder, 'offers.csv'), 'utf8')
      .replace('O2,A2,accepted,', 'O2,A2,declined,')
      .replace('O3,A3,accepted,71301|71302', `O3,A3,accepted,${Array.from({ length: 11 }, (_, n) => `73${n}`).join('|')}`);
    writeFileSync(join(folder, 'offers.csv'), offers);
    const verified = await cli('verify', 'migration.yaml', '--json');
    expect(verified.code).toBe(1);
    const advice = JSON.parse(verified.stdout).updateCommand as string;
    expect(advice).toBe('hire-import migrate migration.yaml --update-changed');

    const updated = await cli(...advice.split(' ').slice(1), '--json');
    expect(updated.code).toBe(1); // O3 is refused
    expect(counts(updated, 'updated')).toEqual([0, 0, 0, 0, 1, 1]);
    expect(counts(updated, 'invalid')).toEqual([0, 0, 0, 0, 1, 0]);
    expect(JSON.parse(updated.stdout).steps[4].problems).toEqual([
      { line: 4, external_id: 'O3', field: 'attachment_id_list', reason: 'an update takes at most 10 (20 on create), this one has 11: not sent; keep 10 at most to update it' },
    ]);
    expect(sandbox.stats()).toMatchObject({ updated: 2, invalid: 0 });
    expect(sandbox.records('offers').find((record) => record.body.external_id === 'O2')!.body.offer_status).toBe('declined');

    const again = await cli('verify', 'migration.yaml', '--json');
    const differing = JSON.parse(again.stdout).steps.map((step: { counts: Record<string, number> }) => step.counts.differs);
    expect(differing).toEqual([0, 0, 0, 0, 1, 0]); // O3, whose export the update could not send
  });
});
