/**
 * Every input bounded (issue 21), end to end against the sandbox: hostile inputs made in a temp folder, each just
 * over its bound, refused by line into the rejects file while the good records around it go on.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_FIELD_CHARACTERS, MAX_RECORD_BYTES, MAX_REQUEST_BYTES, sizeText } from '../../src/limits.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { credentialEnv, credentials, runCli, workspace, type CliRun } from '../support/cli.js';

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
