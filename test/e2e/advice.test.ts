/**
 * The advice the CLI prints works when pasted (issue 18): each command it prints is cut out of its output and run
 * through bash as printed, from a clone (`./bin/hire-import.js`) and as installed (`hire-import` on PATH); a
 * `--sandbox` rehearsal is verified, tampered with, updated and undone end to end; and the words a newcomer meets
 * first (missing credentials, files, app ids; "1 record") say one thing once.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sandboxCredentials, startSandbox } from '../../src/sandbox/server.js';
import { credentialEnv, credentials, paste, readLog, repoRoot, runCli, sandboxLog, stateLog, workspace } from '../support/cli.js';
import { assessmentsCsv, assessmentsYaml, interviewsYaml, planYaml } from '../support/interviewChain.js';

/** The command printed after `prefix` on a line of its own output. */
function printed(output: string, prefix: string): string {
  const line = output.split('\n').find((text) => text.startsWith(prefix));
  expect(line, `a line starting '${prefix}' in:\n${output}`).toBeDefined();
  return line!.slice(prefix.length).trim();
}

const badRow = 'A-2,6986199832494934317,lisi,maybe,unsure\n';
const exportCsv = `external_id,external_interview_id,username,conclusion,content\nA-1,6986199832494934316,zhangsan,pass,good\n${badRow}`;

describe('the rejects hint', () => {
  it('names ./bin/hire-import.js from a clone, and the fixed rejects file imports when the hint is pasted', async () => {
    const folder = workspace();
    writeFileSync(join(folder, 'my export.csv'), exportCsv);
    const log = join(folder, 'assessments.results.jsonl');
    // From the clone's folder, with no hire-import on PATH: the program is the clone's bin, as typed there.
    const clonePath = process.env.PATH!;
    const run = await runCli(['assessments', join(folder, 'my export.csv'), '--log', log, '--sandbox', '--quiet'], { cwd: repoRoot, env: { PATH: clonePath } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('✖ assessments: 2 records from');
    const hint = printed(run.stderr, '  fix them there, then: ');
    expect(hint).toBe(`./bin/hire-import.js assessments '${join(folder, 'my export.rejects.csv')}' --log ${log} --sandbox`);

    const rejects = join(folder, 'my export.rejects.csv');
    writeFileSync(rejects, readFileSync(rejects, 'utf8').replace(',maybe,', ',pending,'));
    const fixed = await paste(hint, repoRoot, clonePath);
    expect(fixed.stderr).toContain('✔ assessments: 1 record from');
    expect(fixed.code).toBe(0);
    expect(readLog(log).filter((entry) => entry.status === 'created').map((entry) => entry.external_id)).toEqual(['A-1', 'A-2']);
  });

  it('names hire-import when that is the program on PATH, and works pasted from the export folder', async () => {
    const folder = workspace();
    writeFileSync(join(folder, 'export.csv'), exportCsv);
    const run = await runCli(['assessments', 'export.csv', '--sandbox', '--quiet'], { cwd: folder });
    const hint = printed(run.stderr, '  fix them there, then: ');
    expect(hint).toBe('hire-import assessments export.rejects.csv --sandbox');
    writeFileSync(join(folder, 'export.rejects.csv'), readFileSync(join(folder, 'export.rejects.csv'), 'utf8').replace(',maybe,', ',fail,'));
    const fixed = await paste(hint, folder);
    expect(fixed.code).toBe(0);
    expect(fixed.stderr).toContain('created 1 · skipped 0 · invalid 0');
  });
});

const interviewsCsv = 'interview,application,begin\nI-1,7000000000000000001,2024-03-05 14:00\nI-2,7000000000000000001,2024-03-08 10:00\n';

describe('a --sandbox rehearsal', () => {
  it('is verified, tampered with, updated by the command verify prints, verified again and undone', async () => {
    const folder = workspace();
    for (const [name, text] of Object.entries({ 'interviews.csv': interviewsCsv, 'interviews.yaml': interviewsYaml, 'assessments.csv': assessmentsCsv, 'assessments.yaml': assessmentsYaml, 'migration.yaml': planYaml })) {
      writeFileSync(join(folder, name), text);
    }
    const cli = (...args: string[]) => runCli(args, { cwd: folder });
    expect((await cli('migrate', 'migration.yaml', '--sandbox', '--quiet')).code).toBe(0);

    const first = await cli('verify', 'migration.yaml', '--sandbox', '--json');
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout).counts).toMatchObject({ ok: 5, missing: 0, differs: 0, 'not imported': 0 });

    // Behind the tool's back, as `hire-import sandbox --state hire-import-state/sandbox/sandbox-state.jsonl` and its
    // POST /sandbox/tamper would: the rehearsal's sandbox, loaded from the state beside its logs.
    const state = join(folder, 'hire-import-state/sandbox/sandbox-state.jsonl');
    const f2 = readLog(sandboxLog(folder)).find((entry) => entry.external_id === 'F-2')!.id as string;
    const behind = await startSandbox({ ...sandboxCredentials, stateFile: state });
    expect(behind.changeRecord('assessments', f2, { content: 'changed on Feishu' })).toBeDefined();
    await behind.close();

    const tampered = await cli('verify', 'assessments', 'assessments.csv', '-m', 'assessments.yaml', '--sandbox');
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toContain('1 record differs');
    // The step's mapping is used as it is: its { step: interviews } lookup reads the rehearsal's interviews log.
    const update = printed(tampered.stderr.split("importing again with --update-changed sends the export's content:\n")[1]!, '  ');
    expect(update).toBe('hire-import assessments assessments.csv --mapping assessments.yaml --sandbox --update-changed');
    const updated = await paste(update, folder);
    expect(updated.stderr).toContain('updated 1');
    expect(updated.code).toBe(0);

    const again = await cli('verify', 'migration.yaml', '--sandbox');
    expect(again.stderr).toContain('✔ every record checked is on Feishu as the export says');
    expect(again.code).toBe(0);

    const undone = await cli('undo', 'migration.yaml', '--sandbox', '--yes');
    expect(undone.stderr).toContain('2 interviews, 3 assessments (with their interviews) from the sandbox');
    expect(undone.code).toBe(0);
    const gone = await cli('verify', 'migration.yaml', '--sandbox', '--json');
    expect(JSON.parse(gone.stdout).counts).toMatchObject({ ok: 0, 'not imported': 5 });
  });
});

describe('words a newcomer meets first', () => {
  it('undo with no app id is an error, never a tick over nothing', async () => {
    const folder = workspace();
    writeFileSync(join(folder, 'migration.yaml'), planYaml);
    for (const args of [['undo', 'migration.yaml', '--yes'], ['undo', 'migration.yaml', '--dry-run']]) {
      const run = await runCli(args, { cwd: folder });
      expect(run.code).toBe(2);
      expect(run.stderr).toBe(
        "hire-import: FEISHU_APP_ID is not set (or --app-id): undo deletes what this tool created in one app, so it needs to know which; a rehearsal's records: --sandbox\n",
      );
    }
  });

  it('migrate without credentials says so once, not once per step', async () => {
    const folder = workspace();
    for (const [name, text] of Object.entries({ 'interviews.csv': interviewsCsv, 'interviews.yaml': interviewsYaml, 'assessments.csv': assessmentsCsv, 'assessments.yaml': assessmentsYaml, 'migration.yaml': planYaml })) {
      writeFileSync(join(folder, name), text);
    }
    const run = await runCli(['migrate', 'migration.yaml'], { cwd: folder });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'hire-import: FEISHU_APP_ID is not set (or --app-id); FEISHU_APP_SECRET is not set (or --app-secret); rehearse with --sandbox, or check the input with --dry-run\n',
    );
  });

  it('a missing mapping or plan is said as a missing input is', async () => {
    const folder = workspace();
    writeFileSync(join(folder, 'export.csv'), exportCsv);
    const input = await runCli(['assessments', 'nope.csv', '--dry-run'], { cwd: folder });
    expect(input.stderr).toBe('hire-import: nope.csv: no such file\n');
    const mapping = await runCli(['assessments', 'export.csv', '-m', 'nope.yaml', '--dry-run'], { cwd: folder });
    expect(mapping.stderr).toBe('hire-import: nope.yaml: no such file (the mapping)\n');
    const plan = await runCli(['migrate', 'nope.yaml', '--dry-run'], { cwd: folder });
    expect(plan.stderr).toBe(`hire-import: ${relative(folder, join(folder, 'nope.yaml'))}: no such file (the plan)\n`);
    for (const run of [input, mapping, plan]) expect(run.code).toBe(2);
    expect(existsSync(join(folder, 'hire-import-state'))).toBe(false);
  });
});

describe("verify's report for people", () => {
  it('shows times as dates in the input zone beside their milliseconds, and talents not checked as one row', async () => {
    // The SDK's reading until verify matches by Feishu id alone (h16-readback): the docs' answers carry no external_id.
    const sandbox = await startSandbox({ ...credentials, rateLimit: 0, reading: 'sdk' });
    try {
      const folder = workspace();
      writeFileSync(join(folder, 'interviews.csv'), interviewsCsv);
      writeFileSync(join(folder, 'interviews.yaml'), interviewsYaml);
      const talents = ['C-1', 'C-2', 'C-3'].map((id, index) => JSON.stringify({ external_id: id, basic_info: { name: `候选人${index}`, email: `c${index}@example.com` } }));
      writeFileSync(join(folder, 'talents.jsonl'), `${talents.join('\n')}\n`);
      const cli = (...args: string[]) => runCli(args, { cwd: folder, env: credentialEnv(sandbox.url) });
      expect((await cli('interviews', 'interviews.csv', '-m', 'interviews.yaml', '--quiet')).code).toBe(0);
      expect((await cli('talents', 'talents.jsonl', '--quiet')).code).toBe(0);
      const i1 = readLog(stateLog(folder, sandbox.url, 'interviews')).find((entry) => entry.external_id === 'I-1')!.id as string;
      sandbox.changeRecord('interviews', i1, { begin_time: 1709622000000 });

      expect((await cli('verify', 'interviews', 'interviews.csv', '-m', 'interviews.yaml')).code).toBe(1);
      expect(readFileSync(join(folder, 'interviews.verify.csv'), 'utf8')).toContain(
        `\r\ninterviews,interviews.csv,2,I-1,${i1},differs,begin_time,1709618400000 (2024-03-05 14:00:00 +08:00),1709622000000 (2024-03-05 15:00:00 +08:00),\r\n`,
      );
      const unchecked = await cli('verify', 'talents', 'talents.jsonl');
      expect(unchecked.code).toBe(0);
      expect(unchecked.stderr).toContain('talents: 3 records not checked (the report says why); they do not change the exit code');
      expect(readFileSync(join(folder, 'talents.verify.csv'), 'utf8')).toBe(
        '\uFEFFresource,file,line,external_id,id,status,field,export_value,server_value,detail\r\n' +
          'talents,talents.jsonl,,,,not checked,,,,3 records created: Feishu has no way to read talents back by id\r\n',
      );
    } finally {
      await sandbox.close();
    }
  });
});
