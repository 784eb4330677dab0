/**
 * Fixing and changing records after an import, and input that cannot be read: the real CLI against the sandbox.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { credentialEnv, credentials, readLog, runCli, stateLog, workspace } from '../support/cli.js';
import { writeAssessmentsCsv } from '../support/generate.js';

let sandbox: Sandbox;
let folder: string;
let env: Record<string, string>;

beforeEach(async () => {
  sandbox = await startSandbox(credentials);
  folder = workspace();
  env = credentialEnv(sandbox.url);
});
afterEach(() => sandbox.close());

describe('changed records', () => {
  it('--update-changed updates in place what changed since it was created, and sends nothing for the rest', async () => {
    const file = join(folder, 'export.csv');
    writeAssessmentsCsv(file, 5);
    expect((await runCli(['assessments', 'export.csv'], { cwd: folder, env })).code).toBe(0);
    const original = sandbox.assessments().find((stored) => stored.body.external_id === 'R-3')!;
    writeFileSync(file, readFileSync(file, 'utf8').replace('"notes for R-3"', '"revised notes for R-3"'));

    const plain = await runCli(['assessments', 'export.csv', '--json'], { cwd: folder, env });
    expect(JSON.parse(plain.stdout).counts).toMatchObject({ skipped: 5, updated: 0 });
    expect(sandbox.stats().patched).toBe(0);

    const update = await runCli(['assessments', 'export.csv', '--update-changed', '--json'], { cwd: folder, env });
    expect(update.code).toBe(0);
    expect(JSON.parse(update.stdout).counts).toMatchObject({ skipped: 4, updated: 1, created: 0 });
    expect(sandbox.stats()).toMatchObject({ patched: 1, created: 5 });
    const revised = sandbox.assessments().find((stored) => stored.body.external_id === 'R-3')!;
    expect(revised.id).toBe(original.id);
    expect(revised.body.content).toBe('revised notes for R-3');
    const updated = readLog(stateLog(folder, sandbox.url)).filter((entry) => entry.status === 'updated');
    expect(updated).toEqual([expect.objectContaining({ external_id: 'R-3', id: original.id, line: 5 })]);

    const again = await runCli(['assessments', 'export.csv', '--update-changed', '--json'], { cwd: folder, env });
    expect(JSON.parse(again.stdout).counts).toMatchObject({ skipped: 5, updated: 0 });
    expect(sandbox.stats().patched).toBe(1);
  });
});

describe('bad input', () => {
  it('--max-errors stops reading once that many records are invalid', async () => {
    const rows = ['external_id,external_interview_id,conclusion'];
    for (let n = 0; n < 50; n++) rows.push(`B-${n},${n % 10 === 0 ? '698' : ''},2`);
    writeFileSync(join(folder, 'bad.csv'), `${rows.join('\n')}\n`);
    const run = await runCli(['assessments', 'bad.csv', '--max-errors', '5', '--json'], { cwd: folder, env });
    expect(run.code).toBe(1);
    const summary = JSON.parse(run.stdout);
    expect(summary.stoppedEarly).toMatch(/^reached --max-errors 5: 5 of \d+ records read were invalid or failed anew$/);
    expect(summary.counts.invalid).toBe(5);
    expect(summary.counts.read).toBeLessThan(50);
    expect(run.stderr).toContain('stopped early: reached --max-errors 5');
  });

  it('refuses a record that repeats an earlier external_id of the same input with other content, naming the first line', async () => {
    const rows = ['external_id,external_interview_id,conclusion', 'D-1,698,2', 'D-2,699,2', 'D-1,700,1'];
    writeFileSync(join(folder, 'dupes.csv'), `${rows.join('\n')}\n`);
    const run = await runCli(['assessments', 'dupes.csv', '--json'], { cwd: folder, env });
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).problems).toEqual([
      { line: 4, external_id: 'D-1', field: 'external_id', reason: "'D-1' already appears at line 2 of this input, with other content" },
    ]);
    expect(sandbox.assessments().map((stored) => stored.body.external_interview_id).sort()).toEqual(['698', '699']);
  });

  it('stops with exit 2 and one clear message on input that is not text, sending nothing', async () => {
    writeFileSync(join(folder, 'export.csv'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x08, 0x00, 0xff, 0x00, 0x10]));
    const run = await runCli(['assessments', 'export.csv'], { cwd: folder, env });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/export\.csv.*binary/);
    expect(sandbox.stats().requests).toBe(0);
  });

  it('names the file, line and reason of a JSONL line that is not JSON, and imports the lines around it', async () => {
    const good = (id: string) => JSON.stringify({ external_id: id, external_interview_id: '698', conclusion: 2 });
    writeFileSync(join(folder, 'export.jsonl'), `${good('J-1')}\n{"external_id": "J-2", oops\n${good('J-3')}\n`);
    const run = await runCli(['assessments', 'export.jsonl', '--json'], { cwd: folder, env });
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).counts).toMatchObject({ created: 2, invalid: 1 });
    const invalid = readLog(stateLog(folder, sandbox.url)).find((entry) => entry.status === 'invalid');
    expect(invalid).toMatchObject({ line: 2 });
    expect(readFileSync(join(folder, 'export.rejects.jsonl'), 'utf8')).toBe('{"external_id": "J-2", oops\n');
  });
});
