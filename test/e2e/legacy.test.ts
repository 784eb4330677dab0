/**
 * Three legacy shapes, each imported with only a mapping file: the real CLI against the strict sandbox receives
 * exactly the expected bodies, refuses exactly the expected records, and a GBK rejects file closes the loop.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import iconv from 'iconv-lite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { credentialEnv, credentials, readLog, runCli, stateLog, workspace } from '../support/cli.js';
import { legacyFixtures, type LegacyFixture } from '../support/legacyFixtures.js';

let sandbox: Sandbox;
let folder: string;

beforeEach(async () => {
  sandbox = await startSandbox(credentials);
  const { moka, long, greenhouse } = legacyFixtures;
  folder = workspace(moka.file, moka.mapping, long.file, long.mapping, greenhouse.file, greenhouse.mapping, 'fixtures/legacy/interviews.csv');
});
afterEach(() => sandbox.close());

async function importFixture(fixture: LegacyFixture) {
  const run = await runCli(['assessments', basename(fixture.file), '--mapping', basename(fixture.mapping), '--json'], {
    cwd: folder,
    env: credentialEnv(sandbox.url),
  });
  return { run, summary: JSON.parse(run.stdout) };
}

const byExternalId = (a: Record<string, unknown>, b: Record<string, unknown>) => String(a.external_id).localeCompare(String(b.external_id));

describe.each(Object.entries(legacyFixtures))('%s', (_name, fixture) => {
  it('imports with only its mapping: the exact bodies, the exact refusals with line and field', async () => {
    const { run, summary } = await importFixture(fixture);
    const expectedBodies = fixture.outcomes.flatMap((outcome) => ('body' in outcome ? [outcome.body] : []));
    const expectedRefusals = fixture.outcomes.flatMap((outcome) =>
      'problems' in outcome ? [{ line: outcome.line, field: outcome.problems[0]!.field }] : [],
    );
    expect(run.code).toBe(1);
    expect(summary.counts).toMatchObject({ created: expectedBodies.length, invalid: expectedRefusals.length, failed: 0 });
    expect(sandbox.assessments().map((stored) => stored.body).sort(byExternalId)).toEqual([...expectedBodies].sort(byExternalId));
    const refused = readLog(stateLog(folder, sandbox.url))
      .filter((entry) => entry.status === 'invalid')
      .map(({ line, field }) => ({ line, field }))
      .sort((a, b) => Number(a.line) - Number(b.line));
    expect(refused).toEqual(expectedRefusals);
    for (const { line } of expectedRefusals) expect(run.stderr).toMatch(new RegExp(` — \\d+ records?, lines? (\\d+, )*${line}\\b`));
  });
});

describe('the fix-and-retry loop', () => {
  it('writes the GBK export\'s rejects in GBK; fixed in place, they import with no duplicates', async () => {
    const { moka } = legacyFixtures;
    await importFixture(moka);
    const rejectsPath = join(folder, 'moka-gbk.rejects.csv');
    const rejects = iconv.decode(readFileSync(rejectsPath), 'gb18030');
    // Each refused row with its reason (the log's msg) in a last column, which the rerun below skips.
    const reason = (line: number) => moka.outcomes.flatMap((outcome) => (outcome.line === line && 'problems' in outcome ? outcome.problems : [])).map((problem) => `${problem.field}: ${problem.reason}`).join('; ');
    expect(rejects.split('\r\n').filter(Boolean)).toEqual([
      '面评编号,面试编号,面试官,面试结论,综合评价,专业能力,沟通能力,学习能力,备注,hire_import_error',
      `MK-004,I-9999,刘洋,通过,非常优秀,5,5,5,,${reason(5)}`,
      `MK-005,I-1005,陈静,通过,很有潜力,优秀,4,5,,${reason(6)}`,
    ]);
    writeFileSync(rejectsPath, iconv.encode(rejects.replace('I-9999', 'I-1004').replace(',优秀,', ',5,'), 'gbk'));

    const env = credentialEnv(sandbox.url);
    const fixed = await runCli(['assessments', 'moka-gbk.rejects.csv', '--mapping', 'moka-gbk.mapping.yaml'], { cwd: folder, env });
    expect(fixed.code).toBe(0);
    const rerun = await runCli(['assessments', 'moka-gbk.csv', '--mapping', 'moka-gbk.mapping.yaml', '--json'], { cwd: folder, env });
    expect(rerun.code).toBe(0);
    expect(JSON.parse(rerun.stdout).counts).toMatchObject({ created: 0, skipped: 8, invalid: 0 });
    expect(sandbox.stats()).toMatchObject({ created: 8, replayed: 0 });
    expect(sandbox.assessments().find((stored) => stored.body.external_id === 'MK-004')?.body.external_interview_id).toBe('7010000000000001004');
  });
});

describe('init and preview', () => {
  it('init drafts a mapping from the header that preview can use', async () => {
    const init = await runCli(['init', 'greenhouse.jsonl', '-o', 'draft.yaml'], { cwd: folder });
    expect(init.code).toBe(0);
    expect(readFileSync(join(folder, 'draft.yaml'), 'utf8')).toMatch(/^fields:/m);
    const again = await runCli(['init', 'greenhouse.jsonl', '-o', 'draft.yaml'], { cwd: folder });
    expect(again.code).toBe(2);
    const preview = await runCli(['preview', 'greenhouse.jsonl', '--mapping', 'draft.yaml', '-n', '2'], { cwd: folder });
    expect(preview.code).toBe(0);
    expect(preview.stdout).toContain('"external_interview_id": "7010000000000003001"');
    expect(sandbox.stats().requests).toBe(0);
  });

  it('preview prints the bodies a mapping makes and the reasons a record is refused, sending nothing', async () => {
    const preview = await runCli(['preview', 'moka-gbk.csv', '--mapping', 'moka-gbk.mapping.yaml', '-n', '5'], { cwd: folder });
    expect(preview.code).toBe(1);
    expect(preview.stdout).toContain('"username": "张伟"');
    expect(preview.stdout).toContain("'I-9999' is not a key of lookup interviews");
  });
});
