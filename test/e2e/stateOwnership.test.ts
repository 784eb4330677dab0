/**
 * State no one else can plant (issue 21), end to end as root, the way another user on a shared machine would plant
 * it: files chowned to nobody (uid 65534), folders made group-writable, symbolic links where the tool keeps its
 * state. Each is refused before anything is sent, saying what to do, and nothing is written where a link points;
 * files holding candidates' data are created no wider than their input.
 */
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { credentialEnv, credentials, runCli, sandboxLog, startCli, stateLog, waitFor, workspace } from '../support/cli.js';
import { writeAssessmentsCsv } from '../support/generate.js';

const NOBODY = 65534;
let sandbox: Sandbox;
let folder: string;
let env: Record<string, string>;
let log: string;

beforeEach(async () => {
  sandbox = await startSandbox({ ...credentials, rateLimit: 0 });
  folder = workspace();
  env = credentialEnv(sandbox.url);
  log = stateLog(folder, sandbox.url);
  writeAssessmentsCsv(join(folder, 'export.csv'), 3);
});
afterEach(() => sandbox.close());

const importExport = () => runCli(['assessments', 'export.csv', '--rate', '5000'], { cwd: folder, env });
const modeOf = (path: string) => statSync(path).mode & 0o777;
/** What a planted log would say: every record already created, so a victim's run would send nothing. */
const plantedLog = (ids: string[]) =>
  [
    JSON.stringify({ hire_import: 1, target: sandbox.url, app_id: credentials.appId, resource: 'assessments', created_at: '2026-12-01T00:00:00.000Z' }),
    ...ids.map((id, n) => JSON.stringify({ external_id: id, status: 'created', feishu_id: `70000000000000000${n}` })),
    '',
  ].join('\n');

describe('a state path another user could have planted is refused, and nothing is sent', () => {
  it('a log owned by another user ("already done 3", exit 0, nothing sent, before)', async () => {
    mkdirSync(dirname(log), { recursive: true, mode: 0o700 });
    writeFileSync(log, plantedLog(['R-0', 'R-1', 'R-2']), { mode: 0o600 });
    chownSync(log, NOBODY, NOBODY);
    const run = await importExport();

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`belongs to user ${NOBODY}, not to you (user 0): another user may have planted it`);
    expect(run.stderr).toContain('chown it to yourself, else remove it');
    expect(sandbox.stats()).toMatchObject({ created: 0 });
  });

  it('a state folder writable by its group', async () => {
    mkdirSync(dirname(log), { recursive: true });
    chmodSync(join(folder, 'hire-import-state'), 0o775);
    const run = await importExport();

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('the state folder hire-import-state can be changed by its group (mode 775)');
    expect(run.stderr).toContain("run chmod go-w 'hire-import-state'");
    expect(sandbox.stats()).toMatchObject({ created: 0 });
  });

  it('a log writable by others', async () => {
    mkdirSync(dirname(log), { recursive: true, mode: 0o700 });
    writeFileSync(log, '');
    chmodSync(log, 0o666);
    const run = await importExport();

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('can be changed by group and others (mode 666)');
    expect(sandbox.stats()).toMatchObject({ created: 0 });
  });

  it('a symbolic link planted as the log: refused, and the file it points at is neither truncated nor written', async () => {
    const victim = join(folder, 'only-mine.txt');
    writeFileSync(victim, 'a line with no newline, which a damaged log tail would be cut at');
    mkdirSync(dirname(log), { recursive: true, mode: 0o700 });
    symlinkSync(victim, log);
    const run = await importExport();

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('is a symbolic link (to ');
    expect(run.stderr).toContain('Remove it');
    expect(readFileSync(victim, 'utf8')).toBe('a line with no newline, which a damaged log tail would be cut at');
    expect(sandbox.stats()).toMatchObject({ created: 0 });
  });

  it('--log naming a file that is not a log: never truncated as "a damaged tail"', async () => {
    writeFileSync(join(folder, 'notes.txt'), 'my notes, one line');
    const run = await runCli(['assessments', 'export.csv', '--log', 'notes.txt', '--rate', '5000'], { cwd: folder, env });

    expect(run.code).toBe(2);
    expect(run.stderr).toContain("notes.txt does not begin with a hire-import result log's header, so it is left as it is");
    expect(readFileSync(join(folder, 'notes.txt'), 'utf8')).toBe('my notes, one line');
    expect(sandbox.stats()).toMatchObject({ created: 0 });
  });

  it("a lock planted by another user beside the log: refused, not waited for", async () => {
    mkdirSync(`${log}.lock`, { recursive: true, mode: 0o700 });
    chownSync(`${log}.lock`, NOBODY, NOBODY);
    const run = await importExport();

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`the lock ${log}.lock belongs to user ${NOBODY}, not to you (user 0)`);
    expect(sandbox.stats()).toMatchObject({ created: 0 });
  });

  it("a lock writable by its group: refused; the tool's own lock, left by a run killed under umask 002, is 0700 and taken", async () => {
    mkdirSync(`${log}.lock`, { recursive: true, mode: 0o700 });
    chmodSync(`${log}.lock`, 0o770);
    const refused = await importExport();
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`the lock ${log}.lock can be changed by its group (mode 770)`);
    expect(sandbox.stats()).toMatchObject({ created: 0 });

    rmSync(`${log}.lock`, { recursive: true });
    const killed = startCli(['assessments', 'export.csv', '--rate', '1'], { cwd: folder, env, shell: (cli) => `umask 002; exec ${cli}` });
    await waitFor(() => existsSync(`${log}.lock.owner`), 'the lock taken');
    killed.child.kill('SIGKILL');
    await killed.done;
    expect([modeOf(`${log}.lock`), modeOf(`${log}.lock.owner`)]).toEqual([0o700, 0o600]);
    expect((await importExport()).code).toBe(0);
  });

  it("a symbolic link planted as the lock's owner file: refused, and the file it points at is not written", async () => {
    const victim = join(folder, 'only-mine.txt');
    writeFileSync(victim, 'mine');
    mkdirSync(dirname(log), { recursive: true, mode: 0o700 });
    symlinkSync(victim, `${log}.lock.owner`);
    const run = await importExport();

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`the lock's owner file ${log}.lock.owner is a symbolic link (to ${victim})`);
    expect(readFileSync(victim, 'utf8')).toBe('mine');
    expect(sandbox.stats()).toMatchObject({ created: 0 });
  });

  it('a dangling symbolic link planted as the rejects file: refused, and no file is created where it points', async () => {
    writeFileSync(join(folder, 'export.csv'), `${readFileSync(join(folder, 'export.csv'), 'utf8')}BAD-1,,lina,2,,,,,,,\n`);
    const target = join(folder, 'planted-target.csv');
    symlinkSync(target, join(folder, 'export.rejects.csv'));
    const run = await importExport();

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('the rejects file export.rejects.csv is a symbolic link');
    expect(existsSync(target)).toBe(false);
  });
});

describe('files holding candidates\' data are no wider than their input', () => {
  it.each([
    ['0600', 0o600, 0o600],
    ['0644', 0o644, 0o644],
    ['0640', 0o640, 0o640],
    ['0660', 0o660, 0o640],
  ])('an input of mode %s: its rejects file no wider; the log 0600, its folders 0700', async (_, inputMode, rejectsMode) => {
    writeFileSync(join(folder, 'export.csv'), `${readFileSync(join(folder, 'export.csv'), 'utf8')}BAD-1,,lina,2,,,,,,,\n`);
    chmodSync(join(folder, 'export.csv'), inputMode);
    const run = await importExport();

    expect(run.code).toBe(1);
    expect(modeOf(join(folder, 'export.rejects.csv'))).toBe(rejectsMode);
    expect(modeOf(log)).toBe(0o600);
    expect(modeOf(dirname(log))).toBe(0o700);
    expect(modeOf(join(folder, 'hire-import-state'))).toBe(0o700);
  });

  it("a --sandbox rehearsal's state is 0600", async () => {
    const rehearsal = await runCli(['assessments', 'export.csv', '--sandbox'], { cwd: folder });
    expect(rehearsal.code).toBe(0);
    const state = join(dirname(sandboxLog(folder)), 'sandbox-state.jsonl');
    expect(modeOf(state)).toBe(0o600);
  });

  it('a verify report is 0600', async () => {
    expect((await importExport()).code).toBe(0);
    expect(sandbox.removeRecord('assessments', sandbox.assessments()[0]!.id)).toBe(true);
    const run = await runCli(['verify', 'assessments', 'export.csv'], { cwd: folder, env });
    expect(run.code).toBe(1);
    expect(modeOf(join(folder, 'export.verify.csv'))).toBe(0o600);
  });
});
