import { describe, expect, it } from 'vitest';
import { noColors } from '../../src/report/colors.js';
import { formatStatus, LogFold } from '../../src/report/status.js';

const now = new Date('2026-11-25T10:40:00Z');
const at = (secondsBeforeNow: number) => new Date(now.getTime() - secondsBeforeNow * 1000).toISOString();
const line = (entry: Record<string, unknown>) => JSON.stringify({ file: 'export.csv', ...entry });

describe('LogFold', () => {
  it('counts each record under its current state: a create is never undone, a later create fixes a failure', () => {
    const fold = new LogFold(now);
    fold.line(line({ external_id: 'A', status: 'created', id: '1', line: 2, at: at(900) }));
    fold.line(line({ external_id: 'B', status: 'failed', code: 1002001, msg: 'busy', line: 3, at: at(900) }));
    fold.line(line({ external_id: 'C', status: 'invalid', field: 'conclusion', msg: "conclusion: 'maybe' is not one of 1, 2, 3", line: 4, at: at(900) }));
    // A later run: B is created, A fails (it still exists), C is still invalid, D updated.
    fold.line(line({ external_id: 'B', status: 'created', id: '2', line: 3, at: at(60) }));
    fold.line(line({ external_id: 'A', status: 'failed', code: 1002001, msg: 'busy', line: 2, at: at(50) }));
    fold.line(line({ external_id: 'D', status: 'updated', id: '4', line: 5, at: at(40) }));
    fold.line(line({ external_id: null, status: 'invalid', field: '(row)', msg: '(row): has 12 cells, the header 10', line: 6, at: at(40) }));
    const summary = fold.summary('export.results.jsonl', { records: 10 });
    expect(summary).toMatchObject({
      log: 'export.results.jsonl',
      inputs: [{ file: 'export.csv', lines: 7 }],
      lines: 7,
      unreadable: 0,
      records: 5,
      counts: { created: 2, updated: 1, failed: 0, invalid: 2 },
      total: 10,
      lastOutcomeAt: at(40),
    });
    expect(summary.problemGroups).toEqual([
      { field: 'conclusion', reason: "'maybe' is not one of 1, 2, 3", count: 1, lines: [4] },
      { field: '(row)', reason: 'has 12 cells, the header 10', count: 1, lines: [6] },
    ]);
  });

  it("skips the intents written before creates, and takes verify's differs line for no request and no new state", () => {
    const fold = new LogFold(now);
    fold.line(JSON.stringify({ external_id: 'A', status: 'sending', resource: 'assessments', parent: '10' }));
    fold.line(line({ external_id: 'A', status: 'created', id: '1', line: 2, at: at(30) }));
    fold.line(JSON.stringify({ external_id: 'B', status: 'sending', resource: 'assessments', parent: '10' }));
    fold.line(line({ external_id: 'A', status: 'differs', id: '1', line: 2, field: 'conclusion', msg: 'verify: ...', at: at(10) }));
    const summary = fold.summary('export.results.jsonl', { records: 2 });
    expect(summary).toMatchObject({ lines: 2, unreadable: 0, records: 1, counts: { created: 1, differs: 0 }, recentRate: null });
  });

  it('counts a talent matched by a lookup as done, like a create, and says so', () => {
    const fold = new LogFold(now);
    fold.line(line({ resource: 'talents', external_id: 'T-1', status: 'matched', id: '7', line: 2, at: at(20) }));
    fold.line(line({ resource: 'talents', external_id: 'T-2', status: 'created', id: '8', line: 3, at: at(10) }));
    fold.line(line({ resource: 'talents', external_id: 'T-1', status: 'failed', code: 1002001, msg: 'busy', line: 2, at: at(5) }));
    const summary = fold.summary('talents.results.jsonl', { records: 2 });
    expect(summary).toMatchObject({ lines: 3, unreadable: 0, records: 2, counts: { created: 1, updated: 0, matched: 1, failed: 0, invalid: 0 } });
    expect(formatStatus(summary, noColors, now).split('\n')[1]).toBe('  created 1 · matched 1 · failed 0 · invalid 0');
  });

  it("counts a record an undo deleted as deleted, until a later create, and reads the undo's lines (no file, no line)", () => {
    const fold = new LogFold(now);
    fold.line(line({ external_id: 'A', status: 'created', id: '1', line: 2, at: at(90) }));
    fold.line(line({ external_id: 'B', status: 'created', id: '2', line: 3, at: at(90) }));
    fold.line(JSON.stringify({ resource: 'interviews', external_id: 'A', status: 'deleted', id: '1', how: 'deleted', at: at(60) }));
    fold.line(JSON.stringify({ resource: 'interviews', external_id: 'B', status: 'deleted', id: '2', how: 'notFound', at: at(60) }));
    fold.line(line({ external_id: 'B', status: 'created', id: '3', line: 3, at: at(30) }));
    const summary = fold.summary('interviews.results.jsonl', { records: 2 });
    expect(summary).toMatchObject({ inputs: [{ file: 'export.csv', lines: 3 }], lines: 5, unreadable: 0, records: 2, counts: { created: 1, deleted: 1 } });
    expect(formatStatus(summary, noColors, now).split('\n')[1]).toBe('  created 1 · deleted by an undo 1 · failed 0 · invalid 0');
  });

  it('measures the recent rate from the sent outcomes of the last five minutes, and the ETA from the total', () => {
    const fold = new LogFold(now);
    fold.line(line({ external_id: 'old', status: 'created', id: '0', line: 2, at: at(3600) }));
    // 61 records sent over the last 30 seconds (2 a second), one of them failing; invalid ones take no request.
    for (let n = 0; n <= 60; n++) {
      fold.line(line({ external_id: `R-${n}`, status: n === 7 ? 'failed' : 'created', id: String(n), line: n + 3, at: at(30 - n / 2) }));
      fold.line(line({ external_id: `X-${n}`, status: 'invalid', field: 'x', msg: 'x: bad', line: n + 100, at: at(30 - n / 2) }));
    }
    const summary = fold.summary('export.results.jsonl', { records: 1123 });
    expect(summary.records).toBe(123);
    expect(summary.recentRate).toBe(2);
    expect(summary.etaSeconds).toBe(500); // 1,000 records left at 2/s
  });

  it('has no rate when fewer than two records were sent lately, and no ETA without a total', () => {
    const fold = new LogFold(now);
    fold.line(line({ external_id: 'A', status: 'created', id: '1', line: 2, at: at(3600) }));
    fold.line(line({ external_id: 'B', status: 'created', id: '2', line: 3, at: at(10) }));
    const summary = fold.summary('export.results.jsonl', { unknown: 'the input was stdin' });
    expect(summary).toMatchObject({ recentRate: null, etaSeconds: null, total: null, totalUnknown: 'the input was stdin' });
  });

  it('leaves out a torn last line (an import mid-write) but counts damage elsewhere', () => {
    const fold = new LogFold(now);
    fold.line(line({ external_id: 'A', status: 'created', id: '1', line: 2, at: at(5) }));
    fold.line('{"external_id":"B","sta');
    fold.line(line({ external_id: 'C', status: 'created', id: '3', line: 4, at: at(4) }));
    fold.line('{"external_id":"D","status":"crea', false);
    const summary = fold.summary('export.results.jsonl', { records: 4 });
    expect(summary).toMatchObject({ lines: 2, unreadable: 1, records: 2, counts: { created: 2 } });
  });

  it('splits an invalid record\'s problems back apart, and names the file when the log holds several', () => {
    const fold = new LogFold(now);
    fold.line(line({ external_id: 'A', status: 'invalid', field: 'conclusion', msg: "conclusion: 'x' is not one of 1, 2, 3; username: must be at most 64 characters", line: 7, at: at(9) }));
    fold.line(line({ external_id: 'B', status: 'invalid', field: 'conclusion', msg: "conclusion: 'y' is not one of 1, 2, 3", line: 8, at: at(9) }));
    fold.line(line({ external_id: 'B', status: 'invalid', field: 'conclusion', msg: "conclusion: 'z' is not one of 1, 2, 3", line: 3, at: at(1), file: 'export.rejects.csv' }));
    const summary = fold.summary('export.results.jsonl', { records: 2 });
    expect(summary.inputs).toEqual([
      { file: 'export.csv', lines: 2 },
      { file: 'export.rejects.csv', lines: 1 },
    ]);
    expect(summary.problemGroups).toEqual([
      { field: 'conclusion', reason: "'z' is not one of 1, 2, 3", count: 1, lines: [3], file: 'export.rejects.csv' },
      { field: 'conclusion', reason: "'x' is not one of 1, 2, 3", count: 1, lines: [7], file: 'export.csv' },
      { field: 'username', reason: 'must be at most 64 characters', count: 1, lines: [7], file: 'export.csv' },
    ]);
  });
});

describe('formatStatus', () => {
  it('puts the status in words', () => {
    const fold = new LogFold(now);
    for (let n = 0; n < 11; n++) fold.line(line({ external_id: `R-${n}`, status: 'created', id: String(n), line: n + 2, at: at(20 - n) }));
    fold.line(line({ external_id: 'Q', status: 'invalid', field: 'conclusion', msg: "conclusion: 'maybe' is not one of 1, 2, 3", line: 14, at: at(9) }));
    const text = formatStatus(fold.summary('export.results.jsonl', { records: 48 }), noColors, now);
    expect(text).toBe(
      [
        'export.results.jsonl: 12 records of 48 (25%) from export.csv',
        '  created 11 · failed 0 · invalid 1',
        '  last outcome 2026-11-25T10:39:51Z (9.0s ago) · 1.0 records/s sent over the last 5 minutes · ETA 36s',
        '  failed and invalid now, by reason:',
        "    conclusion: 'maybe' is not one of 1, 2, 3 — 1 record, line 14",
        '',
      ].join('\n'),
    );
  });

  it('says why there is no ETA, and that nothing was sent lately', () => {
    const fold = new LogFold(now);
    fold.line(line({ external_id: 'A', status: 'created', id: '1', line: 2, at: at(3600) }));
    const text = formatStatus(fold.summary('x.results.jsonl', { unknown: 'the input was stdin' }), noColors, now);
    expect(text).toContain('last outcome 2026-11-25T09:40:00Z (1h00m ago) · nothing sent in the last 5 minutes\n');
    expect(text).toContain('  no total, so no ETA: the input was stdin\n');
  });
});
