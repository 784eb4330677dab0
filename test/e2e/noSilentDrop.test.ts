/**
 * No silent drop, in every command: what a mapping would quietly leave out is said before anything is sent, by the
 * dry run, the import and each step of a plan, and carried by --json; the real CLI against the sandbox.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { credentialEnv, credentials, readLog, repoRoot, runCli, workspace } from '../support/cli.js';

let sandbox: Sandbox;
let folder: string;

beforeEach(async () => {
  sandbox = await startSandbox(credentials);
  folder = mkdtempSync(join(tmpdir(), 'hire-import-drop-'));
});
afterEach(() => sandbox.close());

/** Ten scorecards with a Technical and a Communication score each, as a wide export has them. */
function scorecards(): void {
  const rows = Array.from({ length: 10 }, (_, index) => `S-${100 + index},${7010000000000000100 + index},interviewer${index},pass,${index % 5},${(index + 2) % 5}`);
  writeFileSync(join(folder, 'scorecards.csv'), ['id,interview,interviewer,verdict,Technical score,Communication score', ...rows, ''].join('\n'));
}

/** The mapping with the typo: `Tecnical` matches no column, so every Technical score would be dropped. */
const typoMapping = [
  'fields:',
  '  external_id: id',
  '  external_interview_id: interview',
  '  username: interviewer',
  '  conclusion: verdict',
  'dimensions:',
  '  - each: { columns: "^(?<title>Tecnical|Communication) score$" }',
  '    type: score',
  '    title: title',
  '    answer: value',
  '',
].join('\n');

const alternativeWarning = "warning: typo.yaml: dimensions[0].each.columns: 'Tecnical' matches no column of scorecards.csv";
const unreadWarning = 'warning: scorecards.csv: no value of the mapping reads the column Technical score';

function occurrences(text: string, part: string): number {
  return text.split(part).length - 1;
}

describe('mapping warnings outside preview', () => {
  beforeEach(() => {
    scorecards();
    writeFileSync(join(folder, 'typo.yaml'), typoMapping);
  });

  it('a dry run with a typo in each.columns says so, once, instead of a bare "would create 10"', async () => {
    const run = await runCli(['assessments', 'scorecards.csv', '-m', 'typo.yaml', '--dry-run'], { cwd: folder });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('would create 10');
    expect(occurrences(run.stderr, alternativeWarning)).toBe(1);
    expect(occurrences(run.stderr, unreadWarning)).toBe(1);
    expect(run.stderr.indexOf(unreadWarning)).toBeLessThan(run.stderr.indexOf('would create 10'));
    expect(run.stderr).toContain('2 mapping warnings, printed before the records were read');

    const json = await runCli(['assessments', 'scorecards.csv', '-m', 'typo.yaml', '--dry-run', '--json'], { cwd: folder });
    const summary = JSON.parse(json.stdout) as { wouldCreate: number; warnings: string[] };
    expect(summary.wouldCreate).toBe(10);
    expect(summary.warnings.map((warning) => `warning: ${warning}`).sort()).toEqual([alternativeWarning, unreadWarning].sort());
  });

  it('the import itself warns before it sends, and its JSON carries the warnings', async () => {
    const run = await runCli(['assessments', 'scorecards.csv', '-m', 'typo.yaml', '--json', '--progress-interval', '1'], { cwd: folder, env: credentialEnv(sandbox.url) });
    expect(run.code).toBe(0);
    expect(occurrences(run.stderr, unreadWarning)).toBe(1);
    expect(run.stderr.indexOf(unreadWarning)).toBeLessThan(run.stderr.indexOf(' start: '));
    const summary = JSON.parse(run.stdout) as { counts: { created: number }; warnings: string[] };
    expect(summary.counts.created).toBe(10);
    expect(summary.warnings).toHaveLength(2);
    // What the warning is about: only the Communication score reached Feishu.
    const titles = sandbox.assessments().flatMap((stored) => (stored.body.assessment_dimension_list as Array<{ title: string }>).map((dimension) => dimension.title));
    expect(new Set(titles)).toEqual(new Set(['Communication']));
  });

  it('migrate warns once per step, before any step sends, and each step\'s JSON carries its warnings', async () => {
    writeFileSync(join(folder, 'clean.yaml'), typoMapping.replace('Tecnical', 'Technical'));
    writeFileSync(join(folder, 'scorecards-again.csv'), 'id,interview,interviewer,verdict,Technical score,Communication score\nS-900,7010000000000000900,lina,pass,4,3\n');
    writeFileSync(
      join(folder, 'plan.yaml'),
      [
        'steps:',
        '  - { name: typo, resource: assessments, input: scorecards.csv, mapping: typo.yaml, log: typo.results.jsonl }',
        '  - { name: clean, resource: assessments, input: scorecards-again.csv, mapping: clean.yaml, log: clean.results.jsonl }',
        '',
      ].join('\n'),
    );
    const run = await runCli(['migrate', 'plan.yaml', '--json'], { cwd: folder, env: credentialEnv(sandbox.url) });
    expect(run.code).toBe(0);
    expect(occurrences(run.stderr, alternativeWarning)).toBe(1);
    expect(occurrences(run.stderr, unreadWarning)).toBe(1);
    expect(run.stderr.indexOf(unreadWarning)).toBeLessThan(run.stderr.indexOf(' start: '));
    const plan = JSON.parse(run.stdout) as { steps: Array<{ step: string; warnings: string[] }> };
    expect(plan.steps.map((step) => [step.step, step.warnings.length])).toEqual([
      ['typo', 2],
      ['clean', 0],
    ]);
  });
});

describe('duplicates and nightly reruns', () => {
  const header = 'external_id,external_interview_id,username,conclusion,content';
  const row = (id: string, interview: string, content = 'fine') => `${id},${interview},lina,pass,${content}`;

  it('an exact duplicate row is counted once, every night: exit 0, nothing invalid, nothing sent twice', async () => {
    writeFileSync(join(folder, 'export.csv'), [header, row('A-1', '7010000000000000001'), row('A-2', '7010000000000000002'), row('A-1', '7010000000000000001'), ''].join('\n'));
    for (const night of [1, 2]) {
      const run = await runCli(['assessments', 'export.csv', '--sandbox', '--json'], { cwd: folder });
      expect(run.code).toBe(0);
      const summary = JSON.parse(run.stdout) as { counts: Record<string, number>; rejects: string | null };
      expect(summary.counts).toMatchObject({ read: 3, created: night === 1 ? 2 : 0, skipped: night === 1 ? 0 : 2, invalid: 0, duplicates: 1 });
      expect(summary.rejects).toBeNull();
      expect(run.stderr).toContain('exact duplicate rows 1 (counted once)');
    }
    const created = readLog(join(folder, 'hire-import-state', 'sandbox', 'assessments.results.jsonl')).filter((entry) => entry.status === 'created');
    expect(created.map((entry) => entry.external_id)).toEqual(['A-1', 'A-2']);
  });

  it('a key repeated with other content stays a problem, and reruns do not append the same invalid lines again', async () => {
    writeFileSync(
      join(folder, 'export.csv'),
      [header, row('A-1', '7010000000000000001'), row('A-1', '7010000000000000001', 'other notes'), row('A-3', ''), row('A-4', '7010000000000000004'), ''].join('\n'),
    );
    const log = join(folder, 'hire-import-state', 'sandbox', 'assessments.results.jsonl');
    const sizes: number[] = [];
    for (let night = 1; night <= 3; night++) {
      const run = await runCli(['assessments', 'export.csv', '--sandbox', '--json'], { cwd: folder });
      expect(run.code).toBe(1);
      const summary = JSON.parse(run.stdout) as { counts: Record<string, number>; problems: Array<{ line: number; reason: string }> };
      expect(summary.counts).toMatchObject({ read: 4, invalid: 2, duplicates: 0 });
      expect(summary.problems.map((problem) => problem.line)).toEqual([3, 4]);
      expect(summary.problems[0]!.reason).toBe("'A-1' already appears at line 2 of this input, with other content");
      // The rejects file is written every night: the records still need fixing.
      expect(readFileSync(join(folder, 'export.rejects.csv'), 'utf8')).toContain('A-3,,lina,pass,fine');
      sizes.push(statSync(log).size);
    }
    expect(sizes[1]).toBe(sizes[0]);
    expect(sizes[2]).toBe(sizes[0]);
    expect(readLog(log).filter((entry) => entry.status === 'invalid')).toHaveLength(2);

    // A changed record is a new line: its input changed.
    writeFileSync(join(folder, 'export.csv'), [header, row('A-1', '7010000000000000001'), row('A-3', '', 'edited'), row('A-4', '7010000000000000004'), ''].join('\n'));
    const edited = await runCli(['assessments', 'export.csv', '--sandbox', '--json'], { cwd: folder });
    expect(edited.code).toBe(1);
    expect(readLog(log).filter((entry) => entry.status === 'invalid' && entry.external_id === 'A-3')).toHaveLength(2);
  });

  it('a plan run again does not append its blocked lines again', async () => {
    const plan = workspace(...readdirSync(join(repoRoot, 'fixtures', 'migration')).map((name) => `fixtures/migration/${name}`));
    const state = join(plan, 'hire-import-state', 'sandbox');
    const first = await runCli(['migrate', 'migration.yaml', '--sandbox', '--rate', '200'], { cwd: plan });
    expect(first.code).toBe(1);
    const logs = readdirSync(state).filter((name) => name.endsWith('.results.jsonl'));
    const before = Object.fromEntries(logs.map((name) => [name, readFileSync(join(state, name), 'utf8')]));
    expect(readLog(join(state, 'interviews.results.jsonl')).filter((entry) => entry.status === 'blocked')).toHaveLength(1);
    const again = await runCli(['migrate', 'migration.yaml', '--sandbox', '--rate', '200', '--json'], { cwd: plan });
    expect(again.code).toBe(1);
    const steps = (JSON.parse(again.stdout) as { steps: Array<{ step: string; counts: Record<string, number> }> }).steps;
    expect(steps.find((step) => step.step === 'interviews')!.counts).toMatchObject({ blocked: 1, created: 0 });
    for (const name of logs) expect(readFileSync(join(state, name), 'utf8')).toBe(before[name]);
  });
});

describe('white space and what a field takes', () => {
  it('trims the white space around values by default, keeps it where the mapping says, and refuses an email with a space by its line', async () => {
    writeFileSync(
      join(folder, 'candidates.csv'),
      [
        'id,name,email',
        'C-1,  Li Na ,  lina@example.com ',
        'C-2,Wang Wei,wang wei@example.com',
        'C-3,Zhao Lei,zhao.lei@example.com;zl@example.com',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(folder, 'talents.yaml'),
      ['fields:', '  external_id: id', '  basic_info.name: name', '  basic_info.email: email', ''].join('\n'),
    );
    const run = await runCli(['talents', 'candidates.csv', '-m', 'talents.yaml', '--json'], { cwd: folder, env: credentialEnv(sandbox.url) });
    expect(run.code).toBe(1);
    const summary = JSON.parse(run.stdout) as { counts: Record<string, number>; problems: Array<{ line: number; field: string; reason: string }> };
    expect(summary.counts).toMatchObject({ created: 1, invalid: 2 });
    expect(summary.problems).toEqual([
      { line: 3, external_id: 'C-2', field: 'basic_info.email', reason: "'wang wei@example.com' is not an email address (it holds white space) (from column email)" },
      {
        line: 4,
        external_id: 'C-3',
        field: 'basic_info.email',
        reason: "'zhao.lei@example.com;zl@example.com' is not an email address (it has more than one @: one address per field) (from column email)",
      },
    ]);
    const [created] = sandbox.records('talents');
    expect(created!.body).toMatchObject({ basic_info: { name: 'Li Na', email: 'lina@example.com' } });

    // `trim: false` keeps what the export has.
    writeFileSync(join(folder, 'notes.csv'), 'external_id,external_interview_id,username,notes\nA-1,7010000000000000001,  lina  ,  indented notes\n');
    writeFileSync(join(folder, 'notes.yaml'), 'fields:\n  external_id: external_id\n  external_interview_id: external_interview_id\n  username: username\n  content: { from: notes, trim: false }\n');
    const notes = await runCli(['assessments', 'notes.csv', '-m', 'notes.yaml'], { cwd: folder, env: credentialEnv(sandbox.url) });
    expect(notes.code).toBe(0);
    expect(sandbox.assessments()[0]!.body).toMatchObject({ username: 'lina', content: '  indented notes' });
  });
});

describe('dates as people write them', () => {
  const shanghai = (iso: string) => Date.parse(`${iso}+08:00`);

  it('reads day-first and other declared formats per field or per input, in the input\'s zone; $date reads like a column', async () => {
    writeFileSync(
      join(folder, 'interviews.csv'),
      [
        'id,application,held,ended,noted',
        'I-1,7010000000000000001,05.03.2024 14:00,05.03.2024 15:30,2024/3/5 14:00',
        'I-2,7010000000000000002,31.12.1988 9:05,31/12/1988,2024年3月5日 14:00',
        'I-3,7010000000000000003,12/31/1988,31/12/1988,2024/3/5 14:00',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(folder, 'interviews.yaml'),
      [
        'input: { timezone: Asia/Shanghai, date_format: DD.MM.YYYY HH:mm }',
        'fields:',
        '  external_id: id',
        '  external_application_id: application',
        '  begin_time: held',
        '  end_time: { from: ended, date_format: [DD.MM.YYYY HH:mm, DD/MM/YYYY] }',
        // The tool's own date reading in an expression, in the input's zone: the same moment however it is written.
        '  participate_status: { expr: "$date(noted) = $date(\'2024-03-05 14:00\') ? 2 : 1" }',
        '',
      ].join('\n'),
    );
    const run = await runCli(['interviews', 'interviews.csv', '-m', 'interviews.yaml', '--json'], { cwd: folder, env: credentialEnv(sandbox.url) });
    const summary = JSON.parse(run.stdout) as { counts: Record<string, number>; problems: Array<{ line: number; field: string; reason: string }> };
    expect(summary.problems).toEqual([
      { line: 4, external_id: 'I-3', field: 'begin_time', reason: "'12/31/1988' is not a date (DD.MM.YYYY HH:mm, ISO 8601, 2024-03-01 10:30, 2024/3/1, Unix seconds or ms, Excel serial) (from column held)" },
    ]);
    expect(run.code).toBe(1);
    const bodies = Object.fromEntries(sandbox.records('interviews').map((stored) => [stored.body.external_id, stored.body]));
    expect(bodies['I-1']).toMatchObject({ begin_time: shanghai('2024-03-05T14:00'), end_time: shanghai('2024-03-05T15:30'), participate_status: 2 });
    expect(bodies['I-2']).toMatchObject({ begin_time: shanghai('1988-12-31T09:05'), end_time: shanghai('1988-12-31T00:00'), participate_status: 2 });
  });

  it('a value that does not fit its declared format is a problem naming the format', async () => {
    writeFileSync(join(folder, 'interviews.csv'), 'id,application,held\nI-1,7010000000000000001,2024-03-05\n');
    writeFileSync(join(folder, 'interviews.yaml'), 'fields:\n  external_id: id\n  external_application_id: application\n  begin_time: { from: held, date_format: DD.MM.YYYY }\n');
    const run = await runCli(['interviews', 'interviews.csv', '-m', 'interviews.yaml', '--dry-run', '--json'], { cwd: folder });
    expect(run.code).toBe(1);
    expect((JSON.parse(run.stdout) as { problems: unknown[] }).problems).toEqual([
      { line: 2, external_id: 'I-1', field: 'begin_time', reason: "'2024-03-05' is not a date in the format DD.MM.YYYY (from column held)" },
    ]);
  });

  it('init writes input.timezone from the export\'s offsets, else the machine\'s zone, with a comment saying which', async () => {
    writeFileSync(join(folder, 'offsets.csv'), 'external_id,talent_id,job_title,create_time\nA-1,7010000000000000001,Engineer,2024-03-01T10:30:00+08:00\n');
    writeFileSync(join(folder, 'wall.csv'), 'external_id,talent_id,job_title,create_time\nA-1,7010000000000000001,Engineer,2024-03-01 10:30\n');
    const utc = { TZ: 'UTC' };
    expect((await runCli(['init', 'offsets.csv', '--resource', 'applications'], { cwd: folder, env: utc })).code).toBe(0);
    expect((await runCli(['init', 'wall.csv', '--resource', 'applications'], { cwd: folder, env: utc })).code).toBe(0);
    const offsets = readFileSync(join(folder, 'offsets.mapping.yaml'), 'utf8');
    expect(offsets).toMatch(/^input: \{ format: csv, timezone: Asia\/Shanghai \} # timezone: from the \+08:00 offsets in the export's dates/m);
    const wall = readFileSync(join(folder, 'wall.mapping.yaml'), 'utf8');
    expect(wall).toMatch(/^input: \{ format: csv, timezone: UTC \} # timezone: this machine's zone; .*China: Asia\/Shanghai/m);
    // The drafted zone is what the dry run reads the wall-clock time in.
    const run = await runCli(['applications', 'wall.csv', '-m', 'wall.mapping.yaml', '--dry-run', '--json'], { cwd: folder, env: utc });
    expect(run.code).toBe(0);
  });
});

describe("preview of a plan's step", () => {
  const files = () => readdirSync(join(repoRoot, 'fixtures', 'migration')).map((name) => `fixtures/migration/${name}`);

  it("resolves { step } look-ups from a dry run of the parent steps before anything is imported, up the chain", async () => {
    const plan = workspace(...files());
    const interviews = await runCli(['preview', 'migration.yaml', '--step', 'interviews', '-n', '20'], { cwd: plan });
    expect(interviews.code).toBe(1);
    expect(interviews.stdout).toContain('"external_application_id": "(dry run: A2001)"');
    expect(interviews.stdout).toContain("line 10: invalid\n  external_application_id: parent 'A2099' is neither in step applications's log nor among the records a run of its input would create");
    expect(interviews.stderr).toContain('9 records shown, 1 invalid; nothing was sent');
    // I3009 would be blocked, so its assessment F4009 has no parent either.
    const assessments = await runCli(['preview', 'migration.yaml', '--step', 'assessments', '-n', '20'], { cwd: plan });
    expect(assessments.stdout).toContain("external_interview_id: parent 'I3009' is neither in step interviews's log");
    expect(assessments.stdout).toContain('"external_interview_id": "(dry run: I3001)"');
    expect(existsSync(join(plan, 'hire-import-state'))).toBe(false);
  });

  it("reads the parents' ids from their logs once the plan has run, and asks for the step when none is named", async () => {
    const plan = workspace(...files());
    expect((await runCli(['migrate', 'migration.yaml', '--sandbox', '--rate', '200'], { cwd: plan })).code).toBe(1);
    const application = readLog(join(plan, 'hire-import-state', 'sandbox', 'applications.results.jsonl')).find((entry) => entry.external_id === 'A2001')!;
    const preview = await runCli(['preview', 'migration.yaml', '--step', 'interviews', '--sandbox', '-n', '1'], { cwd: plan });
    expect(preview.stdout).toContain(`"external_application_id": "${String(application.id)}"`);

    const unnamed = await runCli(['preview', 'migration.yaml'], { cwd: plan });
    expect(unnamed.code).toBe(2);
    expect(unnamed.stderr).toContain('migration.yaml is a plan: name the step to preview with --step (one of talents, applications, interviews, assessments, offers, background-checks)');
    const typo = await runCli(['preview', 'migration.yaml', '--step', 'interveiws'], { cwd: plan });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("--step interveiws: migration.yaml has no such step (did you mean 'interviews'?)");
  });
});
