/**
 * Every input bounded (issue 21), end to end against the sandbox: hostile inputs made in a temp folder, each just
 * over its bound, refused by line into the rejects file while the good records around it go on. A mapping's
 * expressions and column patterns are bounded too: a loop, a runaway recursion, a huge range or a pattern that
 * backtracks refuses its record (or its mapping) with a reason, `preview` and `--dry-run` say so on the first
 * record, and a signal always ends the run (real subprocesses, where signals are the point).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_EXPRESSION_DEPTH, MAX_EXPRESSION_ITEMS, MAX_EXPRESSION_STEPS, MAX_FIELD_CHARACTERS, MAX_RECORD_BYTES, MAX_REQUEST_BYTES, sizeText } from '../../src/limits.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { credentialEnv, credentials, runCli, startCli, stateLog, waitFor, workspace, type CliRun } from '../support/cli.js';

let sandbox: Sandbox;
let folder: string;
let env: Record<string, string>;

beforeEach(async () => {
  sandbox = await startSandbox({ ...credentials, rateLimit: 0 });
  folder = workspace();
  env = credentialEnv(sandbox.url);
});
afterEach(() => sandbox.close());

const HEADER = 'external_id,external_interview_id,username,conclusion,content';
const row = (id: string, content = 'fine') => `${id},6986199832494934316,lina,2,${content}`;

interface Summary {
  counts: Record<string, number>;
  problems: Array<{ line: number; field?: string; reason: string }>;
}
const summaryOf = (run: CliRun) => JSON.parse(run.stdout) as Summary;
const storedIds = () => sandbox.assessments().map((stored) => stored.body.external_id).sort();
const sentBytes = () => sandbox.assessments().reduce((total, stored) => total + JSON.stringify(stored.body).length, 0);

async function importFile(name: string): Promise<{ run: CliRun; summary: Summary }> {
  const run = await runCli(['assessments', name, '--rate', '5000', '--json'], { cwd: folder, env });
  return { run, summary: summaryOf(run) };
}

describe('a record over the size bound', () => {
  it.each([
    ['unquoted', 'x'.repeat(MAX_RECORD_BYTES)],
    ['quoted, with line breaks', `"${'y'.repeat(MAX_RECORD_BYTES / 2)}\n${'y'.repeat(MAX_RECORD_BYTES / 2)}"`],
  ])('CSV, a cell %s: refused by its line into the rejects file, never sent; the records around it are created', async (_, cell) => {
    writeFileSync(join(folder, 'export.csv'), [HEADER, row('B-1'), row('B-2', cell), row('B-3'), ''].join('\n'));
    const { run, summary } = await importFile('export.csv');

    expect(run.code).toBe(1);
    expect(summary.counts).toMatchObject({ created: 2, invalid: 1 });
    expect(storedIds()).toEqual(['B-1', 'B-3']);
    expect(sentBytes()).toBeLessThan(10_000);
    const reason = summary.problems.find((problem) => problem.line === 3)?.reason;
    expect(reason).toMatch(/^record is 8\.0 MiB, over the 8 MiB one record may hold/);
    const rejects = readFileSync(join(folder, 'export.rejects.csv'), 'utf8').split('\n');
    expect(rejects).toHaveLength(3);
    expect(rejects[1]!.startsWith('B-2,6986199832494934316,lina,2,')).toBe(true);
    expect(rejects[1]!.length).toBeLessThan(1000);
  });

  it('JSONL: a line over the bound is refused by its number, the lines after it keep theirs', async () => {
    const line = (id: string, content: string) => JSON.stringify({ external_id: id, external_interview_id: '6986199832494934316', content });
    writeFileSync(join(folder, 'export.jsonl'), [line('J-1', 'ok'), line('J-2', 'z'.repeat(MAX_RECORD_BYTES)), line('J-3', 'ok'), ''].join('\n'));
    const { run, summary } = await importFile('export.jsonl');

    expect(run.code).toBe(1);
    expect(summary.counts).toMatchObject({ created: 2, invalid: 1 });
    expect(storedIds()).toEqual(['J-1', 'J-3']);
    expect(summary.problems).toEqual([expect.objectContaining({ line: 2, reason: expect.stringMatching(/^record is 8\.0 MiB, over the 8 MiB/) })]);
  });
});

describe('a field longer than the API takes', () => {
  it('is refused locally with its line and field, never sent', async () => {
    writeFileSync(join(folder, 'export.csv'), [HEADER, row('F-1'), row('F-2', 'n'.repeat(MAX_FIELD_CHARACTERS + 1)), row('F-3', 'n'.repeat(MAX_FIELD_CHARACTERS)), ''].join('\n'));
    const { run, summary } = await importFile('export.csv');

    expect(run.code).toBe(1);
    expect(storedIds()).toEqual(['F-1', 'F-3']);
    expect(summary.problems).toEqual([
      expect.objectContaining({ line: 3, field: 'content', reason: expect.stringContaining('is 100,001 characters long, over the 100,000 a field may hold') }),
    ]);
  });
});

describe('JSONL strings with lone surrogate escapes', () => {
  it('are refused with their line, as undecodable bytes are: two keys never become one', async () => {
    const lines = [
      '{"external_id": "S-\\ud800", "external_interview_id": "6986199832494934316"}',
      '{"external_id": "S-\\ud801", "external_interview_id": "6986199832494934316"}',
      '{"external_id": "S-\\ud83d\\ude00", "external_interview_id": "6986199832494934316"}',
    ];
    writeFileSync(join(folder, 'export.jsonl'), `${lines.join('\n')}\n`);
    const { run, summary } = await importFile('export.jsonl');

    expect(run.code).toBe(1);
    expect(storedIds()).toEqual(['S-😀']);
    expect(summary.problems.map((problem) => [problem.line, problem.reason])).toEqual([
      [1, '"external_id" holds a lone surrogate escape (\\ud800 to \\udfff alone), which is not a character'],
      [2, '"external_id" holds a lone surrogate escape (\\ud800 to \\udfff alone), which is not a character'],
    ]);
    expect(readFileSync(join(folder, 'export.rejects.jsonl'), 'utf8')).toContain('"S-\\ud801"');
  });
});

describe('the sandbox refuses a request body larger than the API takes', () => {
  const post = (init: RequestInit & { duplex?: 'half' }) =>
    fetch(`${sandbox.url}/open-apis/hire/v1/external_interview_assessments`, { method: 'POST', headers: { 'content-type': 'application/json' }, ...init });

  it('by its declared length, before reading it', async () => {
    // Only the start of the body is ever sent: the answer must come from the declared length alone.
    const socket = await import('node:net').then(({ connect }) => connect(sandbox.port, '127.0.0.1'));
    const answer = new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
      socket.on('close', () => resolve(text));
    });
    socket.write(`POST /open-apis/hire/v1/external_interview_assessments HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${400 * 1024 * 1024}\r\n\r\n{"external_id":`);
    const text = await answer;
    expect(text).toMatch(/^HTTP\/1\.1 413 /);
    expect(text).toContain(`request body is larger than ${sizeText(MAX_REQUEST_BYTES)}`);
  });

  it('as it streams, when no length is declared; a body under the bound is answered as usual', async () => {
    const chunks = async function* () {
      for (let sent = 0; sent <= MAX_REQUEST_BYTES; sent += 1024 * 1024) yield new Uint8Array(1024 * 1024).fill(0x20);
    };
    const over = await post({ body: chunks() as unknown as BodyInit, duplex: 'half' });
    expect(over.status).toBe(413);
    expect(((await over.json()) as { code: number }).code).toBe(1002002);

    const under = await post({ body: JSON.stringify({ external_id: 'X-1' }) });
    expect(under.status).not.toBe(413);
  });
});

const LOOP = '($f := function($n){ $f($n + 1) }; $f(0))';
const RECURSION = '($f := function($n){ 1 + $f($n + 1) }; $f(0))';
const RANGE = "$join($map([1..10000000], function($v){ $string($v) }), ',')";

/** An export of `count` rows and a mapping whose content comes from `expr`. */
function writeInput(expr: string, count: number): void {
  const rows = Array.from({ length: count }, (_, n) => `E-${n},6986199832494934316,lina,2`);
  writeFileSync(join(folder, 'export.csv'), ['id,interview,who,verdict', ...rows, ''].join('\n'));
  writeFileSync(
    join(folder, 'export.mapping.yaml'),
    ['fields:', '  external_id: id', '  external_interview_id: interview', '  username: who', '  conclusion: verdict', `  content: { expr: ${JSON.stringify(expr)} }`, ''].join('\n'),
  );
}

describe('an expression past its bounds refuses its record with a reason', () => {
  it.each([
    ['a tail call that becomes a loop', LOOP, `took more than ${MAX_EXPRESSION_STEPS.toLocaleString('en-US')} evaluation steps`],
    ['a recursion that never ends', RECURSION, `nests more than ${MAX_EXPRESSION_DEPTH} levels deep`],
    ['a range of ten million per record', RANGE, `made a sequence of more than ${MAX_EXPRESSION_ITEMS.toLocaleString('en-US')} items`],
  ])('%s: preview and --dry-run say so on the first record', async (_, expr, reason) => {
    writeInput(expr, 3);
    const preview = await runCli(['preview', 'export.csv', '-m', 'export.mapping.yaml', '-n', '1'], { cwd: folder });
    expect(preview.code).toBe(1);
    expect(preview.stdout + preview.stderr).toContain(reason);

    const dryRun = await runCli(['assessments', 'export.csv', '-m', 'export.mapping.yaml', '--dry-run', '--json'], { cwd: folder });
    expect(dryRun.code).toBe(1);
    const summary = JSON.parse(dryRun.stdout) as { counts: Record<string, number>; problems: Array<{ line: number; reason: string }> };
    expect(summary.counts).toMatchObject({ read: 3, invalid: 3 });
    expect(summary.problems[0]).toMatchObject({ line: 2, reason: expect.stringContaining(reason) });
  });
});

describe('a signal during a looping expression', () => {
  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)('%s ends the run with exit 130 and the summary', async (signal) => {
    writeInput(LOOP, 500);
    const cli = startCli(['assessments', 'export.csv', '-m', 'export.mapping.yaml', '--rate', '5000'], { cwd: folder, env });
    // The log exists once the run has begun reading records; every record then loops to its bound.
    await waitFor(() => existsSync(stateLog(folder, sandbox.url)), 'the run to start');
    cli.child.kill(signal);
    const run = await cli.done;

    expect(run.signal).toBeNull();
    expect(run.code).toBe(130);
    expect(run.stderr).toContain(`${signal}: stopping`);
    expect(run.stderr).toMatch(/interrupted/);
    expect(sandbox.stats()).toMatchObject({ created: 0 });
  }, 60_000);
});

describe("a mapping's each.columns pattern", () => {
  /** A wide export whose header has `columns` as score columns, and a mapping reading them with `pattern`. */
  function writeWide(pattern: string, columns: string[]): void {
    writeFileSync(join(folder, 'wide.csv'), [['id', 'interview', ...columns].join(','), ['W-1', '6986199832494934316', ...columns.map(() => '4')].join(','), ''].join('\n'));
    writeFileSync(
      join(folder, 'wide.mapping.yaml'),
      ['fields:', '  external_id: id', '  external_interview_id: interview', 'dimensions:', `  - each: { columns: ${JSON.stringify(pattern)} }`, '    type: score', '    title: title', '    answer: value', ''].join('\n'),
    );
  }

  it('that backtracks catastrophically in a backtracking engine answers at once against an 80-character header name', async () => {
    const long = `${'a'.repeat(80)}!`;
    writeWide('^(?<title>([a-z]+_?)+)_score$', ['coding_score', 'design_score', long]);
    const preview = await runCli(['preview', 'wide.csv', '-m', 'wide.mapping.yaml'], { cwd: folder });
    expect(preview.code).toBe(0);
    const body = JSON.parse(preview.stdout.replace(/^line 2:\n/, '')) as { assessment_dimension_list: Array<{ title: string }> };
    expect(body.assessment_dimension_list.map((dimension) => dimension.title)).toEqual(['coding', 'design']);

    const dryRun = await runCli(['assessments', 'wide.csv', '-m', 'wide.mapping.yaml', '--dry-run', '--json'], { cwd: folder });
    expect(dryRun.code).toBe(0);
    expect(JSON.parse(dryRun.stdout).counts).toMatchObject({ read: 1, invalid: 0 });
  }, 60_000);

  it('that only a backtracking engine can match (a lookahead) is refused with the reason, before anything is read', async () => {
    writeWide('^(?!total)(?<title>.+)_score$', ['coding_score', 'total_score']);
    const run = await runCli(['preview', 'wide.csv', '-m', 'wide.mapping.yaml'], { cwd: folder });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('dimensions[0].each.columns');
    expect(run.stderr).toContain('no lookarounds or backreferences');
  });
});
