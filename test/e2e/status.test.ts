/**
 * `hire-import status`: after an import with invalid rows, and while an import is still writing its log.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLog, runCli, startCli, waitFor, workspace } from '../support/cli.js';
import { writeAssessmentsCsv } from '../support/generate.js';

const log = 'hire-import-state/sandbox/assessments.results.jsonl';

async function importWithErrors(): Promise<string> {
  const folder = workspace('fixtures/assessments-with-errors.csv');
  const run = await runCli(['assessments', 'assessments-with-errors.csv', '--sandbox', '--quiet'], { cwd: folder });
  expect(run.code).toBe(1);
  return folder;
}

describe('hire-import status', () => {
  it('counts records by status and groups the invalid ones by reason, in words and as JSON', async () => {
    const folder = await importWithErrors();
    const text = await runCli(['status', log], { cwd: folder });
    expect(text.code).toBe(0);
    const lines = text.stdout.split('\n');
    expect(lines.slice(0, 2)).toEqual([`${log}: 10 records (done) from assessments-with-errors.csv`, '  created 7 · failed 0 · invalid 3']);
    expect(lines[2]).toMatch(/^ {2}done: the import finished \S+Z \([\d.]+s ago\)$/);
    expect(lines.slice(3)).toEqual([
      '  failed and invalid now, by reason:',
      '    external_interview_id: is required — 1 record, line 9',
      "    conclusion: 'maybe' is not one of 1 不通过 fail, 2 通过 pass, 3 待定 pending (from column conclusion) — 1 record, line 10",
      "    assessment_dimension_list[0].score: 'four' is not an integer (from column dim1_score) — 1 record, line 11",
      '',
    ]);

    const json = await runCli(['status', log, '--json'], { cwd: folder });
    expect(json.code).toBe(0);
    const status = JSON.parse(json.stdout);
    expect(status).toMatchObject({
      log,
      inputs: [{ file: 'assessments-with-errors.csv', lines: 10 }],
      lines: 10,
      unreadable: 0,
      records: 10,
      counts: { created: 7, updated: 0, matched: 0, failed: 0, invalid: 3 },
      total: 10,
      etaSeconds: null,
      rateWindowMinutes: 5,
    });
    expect(status.problemGroups).toEqual([
      { field: 'external_interview_id', reason: 'is required', count: 1, lines: [9] },
      { field: 'conclusion', reason: "'maybe' is not one of 1 不通过 fail, 2 通过 pass, 3 待定 pending (from column conclusion)", count: 1, lines: [10] },
      { field: 'assessment_dimension_list[0].score', reason: "'four' is not an integer (from column dim1_score)", count: 1, lines: [11] },
    ]);
  });

  it('finds the one log in the folder or its state folder, leaves out a last line still being written, and counts a damaged one', async () => {
    const folder = await importWithErrors();
    appendFileSync(join(folder, log), '{"external_id":"A-2000","status":"crea');
    const torn = JSON.parse((await runCli(['status', '--json'], { cwd: folder })).stdout);
    expect(torn).toMatchObject({ log, lines: 10, unreadable: 0, records: 10, counts: { created: 7, invalid: 3 } });
    appendFileSync(join(folder, log), '\n');
    const damaged = JSON.parse((await runCli(['status', '--json'], { cwd: folder })).stdout);
    expect(damaged).toMatchObject({ lines: 10, unreadable: 1, records: 10 });
  });

  it('stops with exit 2 when there is no log, or more than one to choose from', async () => {
    const folder = workspace();
    const none = await runCli(['status'], { cwd: folder });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no result log (*.results.jsonl) in');
    expect((await runCli(['status', 'missing.results.jsonl'], { cwd: folder })).stderr).toContain('missing.results.jsonl: no such result log');
    writeFileSync(join(folder, 'a.results.jsonl'), '');
    writeFileSync(join(folder, 'b.results.jsonl'), '');
    const two = await runCli(['status'], { cwd: folder });
    expect(two.code).toBe(2);
    expect(two.stderr).toContain('2 result logs here (a.results.jsonl, b.results.jsonl); name one: hire-import status LOG');
  });

  it('reads a log while an import is writing it: counts so far, the recent rate and an ETA from the input\'s total', async () => {
    const folder = workspace();
    writeAssessmentsCsv(join(folder, 'export.csv'), 60);
    const importing = startCli(['assessments', 'export.csv', '--sandbox', '--rate', '6', '--quiet'], { cwd: folder });
    const logPath = join(folder, log);
    await waitFor(() => {
      try {
        return readLog(logPath).length >= 4;
      } catch {
        return false;
      }
    }, 'a few outcomes in the log');
    const status = JSON.parse((await runCli(['status', log, '--json'], { cwd: folder })).stdout);
    importing.child.kill('SIGINT');
    await importing.done;
    expect(status.total).toBe(60);
    expect(status.counts.created).toBe(status.records);
    expect(status.records).toBeGreaterThanOrEqual(4);
    expect(status.records).toBeLessThan(60);
    expect(status.recentRate).toBeGreaterThan(0);
    expect(status.etaSeconds).toBeGreaterThan(0);
  });
});
