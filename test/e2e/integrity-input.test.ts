/**
 * Hostile input, end to end (issue 7, "Input"): the real CLI as a subprocess against the sandbox on loopback. Each
 * case is one a user would not notice until a candidate's record is missing or garbled in production: here each
 * record arrives exactly as written, or the run says which line it refused and why, and never ends with exit 0
 * having lost or changed one.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { binPath, credentialEnv, credentials, readLog, runCli, startCli, stateLog, workspace, type CliRun } from '../support/cli.js';
import { writeAssessmentsCsv } from '../support/generate.js';

let sandbox: Sandbox;
let folder: string;
let env: Record<string, string>;
/** Processes a test started, ended after it whatever happened. */
const started: ChildProcess[] = [];

beforeEach(async () => {
  sandbox = await startSandbox({ ...credentials, rateLimit: 0 });
  folder = workspace();
  env = credentialEnv(sandbox.url);
});
afterEach(async () => {
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await sandbox.close();
});

/** Pacing is not the point here. */
const fast = ['--rate', '5000', '--json'];

function summaryOf(run: CliRun) {
  return JSON.parse(run.stdout) as { counts: Record<string, number>; problems: Array<{ line: number; field: string; reason: string }> };
}

const storedBodies = () => sandbox.assessments().map((stored) => stored.body);

describe('input read once: a FIFO, /dev/stdin', () => {
  // 1,000 rows are 110 KB, more than a pipe holds (64 KiB): the writer blocks and the reader takes several fills.
  it('imports all 1,000 rows a writer feeds through a named FIFO, and keeps the log in the current folder', async () => {
    const rows = join(folder, 'rows.csv');
    writeAssessmentsCsv(rows, 1000);
    expect(statSync(rows).size).toBeGreaterThan(64 * 1024);
    mkdirSync(join(folder, 'in'));
    const fifo = join(folder, 'in', 'export.csv');
    execFileSync('mkfifo', [fifo]);
    const writer = spawn('sh', ['-c', 'cat "$0" > "$1"', rows, fifo], { stdio: 'ignore' });
    const cli = startCli(['assessments', 'in/export.csv', ...fast], { cwd: folder, env });
    started.push(writer, cli.child);
    // A run that hangs (today: a second reader waits on the FIFO forever) fails the test instead of stalling it.
    const hung = setTimeout(() => cli.child.kill('SIGKILL'), 40_000);
    const run = await cli.done;
    clearTimeout(hung);

    expect(run.signal).toBeNull();
    expect(run.code).toBe(0);
    expect(summaryOf(run).counts).toMatchObject({ read: 1000, created: 1000, invalid: 0, failed: 0 });
    expect(sandbox.stats()).toMatchObject({ created: 1000 });
    expect(readLog(stateLog(folder, sandbox.url)).filter((entry) => entry.status === 'created')).toHaveLength(1000);
    expect(existsSync(join(folder, 'in', 'export.results.jsonl'))).toBe(false);
  });

  it('imports every row piped to /dev/stdin: nothing is read twice, nothing is lost', async () => {
    const ids = writeAssessmentsCsv(join(folder, 'rows.csv'), 1000); // more than a pipe holds, as above
    // A shell pipe, as a user writes it (Node's own spawn would give the CLI a socket, which /dev/stdin cannot open).
    const shell = spawn('sh', ['-c', 'cat rows.csv | "$0" "$1" assessments /dev/stdin --format csv --rate 5000 --json', process.execPath, binPath], {
      cwd: folder,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    started.push(shell);
    let stdout = '';
    shell.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => shell.on('close', resolve));

    expect(code).toBe(0);
    expect(summaryOf({ stdout } as CliRun).counts).toMatchObject({ read: 1000, created: 1000 });
    expect(storedBodies().map((body) => body.external_id).sort()).toEqual([...ids].sort());
    expect(readLog(stateLog(folder, sandbox.url))).toHaveLength(1000);
  });
});

describe('encodings: text arrives as written, or the run stops and asks', () => {
  const header = 'external_id,external_interview_id,username,conclusion,content,dim1_type,dim1_title,dim1_score\n';
  const row = (n: number, name: string, content = 'ok') => `E-${n},69861998324949${String(n).padStart(5, '0')},${name},2,${content},score,Coding,3\n`;

  it('takes UTF-8 with one stray byte as UTF-8: 300 exact names created, the stray line refused by number', async () => {
    const lines = Array.from({ length: 301 }, (_, n) => Buffer.from(row(n, 'Zoë Müller')));
    // Line 152 of the file (row 150): "Zoë M\xFFller".
    lines[150] = Buffer.concat([Buffer.from(`E-150,6986199832494900150,Zoë M`), Buffer.from([0xff]), Buffer.from('ller,2,ok,score,Coding,3\n')]);
    writeFileSync(join(folder, 'export.csv'), Buffer.concat([Buffer.from(header), ...lines]));
    const run = await runCli(['assessments', 'export.csv', ...fast], { cwd: folder, env });

    expect(run.code).toBe(1);
    const summary = summaryOf(run);
    expect(summary.counts).toMatchObject({ read: 301, created: 300, invalid: 1 });
    expect(summary.problems).toEqual([{ line: 152, field: '(row)', reason: 'bytes at line 152 do not decode as utf-8' }]);
    expect(storedBodies()).toHaveLength(300);
    expect(storedBodies().every((body) => body.username === 'Zoë Müller')).toBe(true);
    expect(readLog(stateLog(folder, sandbox.url)).filter((entry) => entry.status === 'invalid')).toMatchObject([
      { line: 152, msg: '(row): bytes at line 152 do not decode as utf-8' },
    ]);
  });

  it('stops on a windows-1252 export, showing how it would read, and imports it exactly with --encoding windows-1252', async () => {
    const text = header + Array.from({ length: 20 }, (_, n) => row(n, 'José García', 'Très bien')).join('');
    writeFileSync(join(folder, 'export.csv'), iconv.encode(text, 'windows-1252'));

    const refused = await runCli(['assessments', 'export.csv', ...fast], { cwd: folder, env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      'export.csv: cannot tell which encoding it was saved in: line 2 is neither utf-8 nor gb18030: in windows-1252 it reads "E-0,6986199832494900000,José García,2,Très bien,score,Cod..."; pass --encoding windows-1252 if that reads right',
    );
    expect(sandbox.stats()).toMatchObject({ created: 0 });

    const told = await runCli(['assessments', 'export.csv', '--encoding', 'windows-1252', ...fast], { cwd: folder, env });
    expect(told.code).toBe(0);
    expect(storedBodies()).toHaveLength(20);
    expect(storedBodies().every((body) => body.username === 'José García' && body.content === 'Très bien')).toBe(true);
  });

  it('still takes a GBK export for GB18030 unasked', async () => {
    const text = header + Array.from({ length: 20 }, (_, n) => row(n, '张伟', '基础扎实，思路清晰')).join('');
    writeFileSync(join(folder, 'export.csv'), iconv.encode(text, 'gbk'));
    const run = await runCli(['assessments', 'export.csv', ...fast], { cwd: folder, env });

    expect(run.code).toBe(0);
    expect(storedBodies()).toHaveLength(20);
    expect(storedBodies().every((body) => body.username === '张伟' && body.content === '基础扎实，思路清晰')).toBe(true);
  });

  it('stops when lines disagree (UTF-8 and Latin-1), naming them and asking for --encoding; nothing is sent', async () => {
    const utf8 = Buffer.from(header + [0, 1, 2, 3].map((n) => row(n, 'Zoë Müller')).join(''));
    const latin1 = iconv.encode([4, 5].map((n) => row(n, 'José García')).join(''), 'latin1');
    writeFileSync(join(folder, 'export.csv'), Buffer.concat([utf8, latin1]));
    const run = await runCli(['assessments', 'export.csv', ...fast], { cwd: folder, env });

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'export.csv: cannot tell which encoding it was saved in: lines 2, 3, 4, ... decode as utf-8, lines 6 and 7 do not; pass --encoding with the encoding it was saved in',
    );
    expect(sandbox.stats()).toMatchObject({ created: 0 });
    expect(existsSync(stateLog(folder, sandbox.url))).toBe(false);
  });
});

describe('JSON numbers beyond 2^53', () => {
  it('sends an external_interview_id given as a bare number as exactly its digits; a score beyond 2^53 is refused by field', async () => {
    writeFileSync(
      join(folder, 'export.jsonl'),
      [
        '{"id":"gh-1","interview":6986199832494934317,"who":"Grace Hopper","rating":4}',
        '{"id":"gh-2","interview":6986199832494934318,"who":"Alan Turing","rating":6986199832494934317}',
      ].join('\n'),
    );
    writeFileSync(
      join(folder, 'export.mapping.yaml'),
      ['fields:', '  external_id: id', '  external_interview_id: interview', '  username: who', 'dimensions:', '  - { type: score, title: { value: Overall }, score: rating }', ''].join('\n'),
    );
    const run = await runCli(['assessments', 'export.jsonl', '--mapping', 'export.mapping.yaml', ...fast], { cwd: folder, env });

    expect(run.code).toBe(1);
    expect(storedBodies()).toEqual([
      {
        external_id: 'gh-1',
        external_interview_id: '6986199832494934317',
        username: 'Grace Hopper',
        assessment_dimension_list: [{ assessment_type: 1, title: 'Overall', score: 4 }],
      },
    ]);
    expect(summaryOf(run).problems).toEqual([
      { line: 2, external_id: 'gh-2', field: 'assessment_dimension_list[0].score', reason: 'must be an integer within ±9007199254740991 (2^53 - 1) (from field rating)' },
    ]);
  });

  it('keeps two external_ids that differ only past 2^53 as two records, both created', async () => {
    writeFileSync(
      join(folder, 'export.jsonl'),
      [
        '{"external_id":6986199832494934317,"external_interview_id":"7010000000000001001","conclusion":2}',
        '{"external_id":6986199832494934318,"external_interview_id":"7010000000000001002","conclusion":1}',
      ].join('\n'),
    );
    const run = await runCli(['assessments', 'export.jsonl', ...fast], { cwd: folder, env });

    expect(run.code).toBe(0);
    expect(summaryOf(run).counts).toMatchObject({ created: 2, invalid: 0, skipped: 0 });
    expect(storedBodies().map((body) => body.external_id).sort()).toEqual(['6986199832494934317', '6986199832494934318']);
    expect(readLog(stateLog(folder, sandbox.url)).map((entry) => entry.external_id).sort()).toEqual(['6986199832494934317', '6986199832494934318']);
  });
});

describe('a quote never closed', () => {
  it('refuses the record where it opens and says how many lines after it were not read; exit 1', async () => {
    const rows = Array.from({ length: 200 }, (_, n) => {
      const id = `Q-${n},69861998324949${String(n).padStart(5, '0')},u${n},2`;
      if (n === 49) return `${id},"broken note,score,Coding,3`; // line 51: the quote never closes
      return `${id},note ${'x'.repeat(n > 49 ? 7000 : 10)},score,Coding,3`; // about 1 MB after it
    });
    const text = `external_id,external_interview_id,username,conclusion,content,dim1_type,dim1_title,dim1_score\n${rows.join('\n')}\n`;
    writeFileSync(join(folder, 'export.csv'), text);
    expect(text.length).toBeGreaterThan(1_000_000);
    const run = await runCli(['assessments', 'export.csv', ...fast], { cwd: folder, env });

    expect(run.code).toBe(1);
    const reason = 'unclosed quote: the 150 lines after it, to the end of the file, were not read';
    expect(summaryOf(run).counts).toMatchObject({ created: 49, invalid: 1 });
    expect(summaryOf(run).problems).toEqual([{ line: 51, field: '(row)', reason }]);
    expect(run.stderr).toContain(reason);
    expect(readLog(stateLog(folder, sandbox.url)).filter((entry) => entry.status === 'invalid')).toMatchObject([{ line: 51, msg: `(row): ${reason}` }]);
    // Nothing is lost: the rejects file holds the header and every line from the broken one to the end (no reason
    // after them: a cell there would land inside the open quote).
    const lines = text.split('\n');
    expect(readFileSync(join(folder, 'export.rejects.csv'), 'utf8')).toBe(`${[`${lines[0]},hire_import_error`, ...lines.slice(50, 201)].join('\n')}\n`);
  });
});

describe('a log that is the input', () => {
  const aliases: Array<[string, (folder: string) => string]> = [
    ['the same path', () => 'export.csv'],
    ['a symlink', (folder) => (symlinkSync(join(folder, 'export.csv'), join(folder, 'link.jsonl')), 'link.jsonl')],
    ['./x/../', (folder) => (mkdirSync(join(folder, 'x')), './x/../export.csv')],
    ['a hard link', (folder) => (linkSync(join(folder, 'export.csv'), join(folder, 'hard.jsonl')), 'hard.jsonl')],
  ];
  it.each(aliases)('is refused with exit 2 before anything is written: --log via %s', async (_how, alias) => {
    writeAssessmentsCsv(join(folder, 'export.csv'), 5);
    const before = readFileSync(join(folder, 'export.csv'));
    const log = alias(folder);
    const run = await runCli(['assessments', 'export.csv', '--log', log, ...fast], { cwd: folder, env });

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`--log ${log} is the input file export.csv; give the log a path of its own`);
    expect(readFileSync(join(folder, 'export.csv'))).toEqual(before);
    expect(existsSync(join(folder, `${log}.lock`))).toBe(false);
    expect(sandbox.stats()).toMatchObject({ created: 0 });
  });
});
