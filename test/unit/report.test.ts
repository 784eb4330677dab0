import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { Chalk } from 'chalk';
import { colorLevel, noColors } from '../../src/report/colors.js';
import { timestamp } from '../../src/report/format.js';
import { ProblemGroups, groupsKept } from '../../src/report/problemGroups.js';
import {
  checkProgressInterval,
  formatProgress,
  formatStart,
  plainLines,
  Progress,
  progressMode,
  type ProgressView,
} from '../../src/report/progress.js';
import { formatSummary, importSucceeded } from '../../src/report/summary.js';
import { Tally } from '../../src/report/tally.js';
import stringWidth from 'string-width';
import { fitWidth } from '../../src/report/width.js';
import { OutageWatch } from '../../src/send/outage.js';
import { fakeClock } from '../support/fakeClock.js';
import { importSummary } from '../support/importSummary.js';

const summary = importSummary;

/** A view that keeps what it was given. */
function recordingView(): ProgressView & { shown: string[] } {
  const shown: string[] = [];
  return { everyMs: 1000, shown, start: (heading) => shown.push(heading), update: (line) => shown.push(line), note: (line) => shown.push(`note: ${line}`), stop: () => {} };
}

describe('formatProgress', () => {
  it('shows done/total and share, then rate, elapsed and ETA, then the counts', () => {
    const line = formatProgress({ finished: 500, total: 2000, created: 470, matched: 10, skipped: 10, invalid: 10, failed: 0, rate: 20, elapsedMs: 25_000 });
    expect(line).toBe('500/2,000 (25%) · 20.0/s · 25s · ETA 1m15s · created 470 · matched 10 · skipped 10 · invalid 10');
  });

  it('shows no total or ETA when the total is unknown', () => {
    expect(formatProgress({ finished: 3, created: 3, matched: 0, skipped: 0, invalid: 0, failed: 0, rate: 0, elapsedMs: 900 })).toBe('3 · 0.0/s · 0.9s · created 3');
  });
});

describe('formatStart', () => {
  it('names the resource, input, target, log and total', () => {
    const line = formatStart({
      resource: 'assessments',
      input: 'export.csv',
      target: { baseUrl: 'https://open.feishu.cn', appId: 'cli_xxx' },
      log: 'export.results.jsonl',
      total: 48_000,
    });
    expect(line).toBe('start: assessments from export.csv into https://open.feishu.cn (app cli_xxx) · log export.results.jsonl · 48,000 records');
  });

  it('says so on a dry run, from stdin, with no total', () => {
    expect(formatStart({ resource: 'assessments', input: '-' })).toBe('start: assessments from stdin (dry run: nothing sent) · total unknown');
  });
});

describe('Progress', () => {
  it('counts the rate and the ETA from records sent only: a resume that skips 900,000 shows no rate until it sends', () => {
    const clock = fakeClock({ start: 5_000 });
    const tally = new Tally();
    const view = recordingView();
    const progress = new Progress({ view, clock, date: () => new Date(), tally, total: 1_000_000 });
    progress.start({ resource: 'assessments', input: 'export.csv', log: 'export.results.jsonl' });
    expect(view.shown[0]).toBe('start: assessments from export.csv (dry run: nothing sent) · log export.results.jsonl · 1,000,000 records');
    clock.advance(2_000);
    tally.counts.skipped = 900_000;
    expect(progress.snapshot()).toMatchObject({ finished: 900_000, rate: 0 });
    progress.draw();
    expect(view.shown[1]).toBe('900,000/1,000,000 (90%) · 0.0/s · 2.0s · created 0 · skipped 900,000');
    // Then 20 records a second are sent for 15 seconds, one of them failing.
    for (let second = 0; second < 15; second++) {
      clock.advance(1_000);
      tally.counts.created += second === 3 ? 19 : 20;
      if (second === 3) tally.counts.failed++;
      progress.snapshot();
    }
    const snapshot = progress.snapshot();
    expect(snapshot.finished).toBe(900_300);
    expect(snapshot.rate).toBeCloseTo(20, 5);
    progress.draw();
    // 99,700 left at 20/s: 83 minutes, not zero.
    expect(view.shown[2]).toBe('900,300/1,000,000 (90%) · 20.0/s · 17s · ETA 1h23m · created 299 · skipped 900,000 · failed 1');
    progress.stop();
  });

  it('shows an outage: a line when sending pauses, every progress line while it lasts, a line when it resumes', async () => {
    const clock = fakeClock();
    const noon = Date.parse('2026-11-25T12:03:00Z'); // the wall clock when `clock` reads 0
    const tally = new Tally();
    tally.counts.skipped = 40; // known from an earlier run: no rate
    const view = recordingView();
    const progress = new Progress({ view, clock, date: () => new Date(noon + clock.now()), tally, total: 100 });
    const watch = new OutageWatch({ clock, maxOutageMs: 15 * 60_000, threshold: 2, onChange: progress.outageChanged });
    const [first, second] = [{}, {}];
    clock.advance(10_000);
    expect(watch.failed(first, 'ECONNREFUSED')).toBe(false);
    clock.advance(4_000);
    expect(watch.failed(second, 'ECONNREFUSED')).toBe(true); // two distinct requests: paused
    expect(view.shown).toEqual([
      'note: Feishu unreachable since 12:03:10 UTC (4.0s): sending paused, probing with one request 1s, 2s, 4s ... at most 1m apart; stops after --max-outage 15m',
    ]);
    progress.draw();
    expect(view.shown[1]).toBe('paused: Feishu unreachable since 12:03:10 UTC (4.0s), next probe in 1.0s · 40/100 (40%) · 0.0/s · 14s · created 0 · skipped 40');
    expect(await watch.admit(first, new AbortController().signal)).toBe('send'); // the probe, a second later
    watch.failed(first, 'ECONNREFUSED');
    progress.draw();
    expect(view.shown[2]).toMatch(/^paused: Feishu unreachable since 12:03:10 UTC \(5\.0s\), next probe in 2\.0s · 40\/100/);
    clock.advance(47_000);
    watch.answered();
    progress.draw();
    expect(view.shown.slice(3)).toEqual(['note: Feishu answers again after 52s: sending resumed', '40/100 (40%) · 0.0/s · 1m02s · created 0 · skipped 40']);
  });

  it('never shows a share over 100% when the count was short', () => {
    const clock = fakeClock();
    const tally = new Tally();
    tally.counts.created = 12;
    const progress = new Progress({ view: recordingView(), clock, date: () => new Date(), tally, total: 10 });
    expect(progress.snapshot().total).toBe(12);
  });

  it('plain lines carry a timestamp each', () => {
    const written: string[] = [];
    let now = Date.parse('2026-11-25T10:31:02.450Z');
    const view = plainLines((text) => written.push(text), () => new Date(now), 10_000);
    view.start('start: assessments from export.csv');
    now += 10_000;
    view.update('1/2 (50%)');
    view.note('Feishu answers again after 52s: sending resumed');
    expect(written).toEqual([
      '2026-11-25T10:31:02Z start: assessments from export.csv\n',
      '2026-11-25T10:31:12Z progress: 1/2 (50%)\n',
      '2026-11-25T10:31:12Z Feishu answers again after 52s: sending resumed\n',
    ]);
    expect(view.everyMs).toBe(10_000);
  });

  it('--progress-interval has a floor of one second', () => {
    expect(() => checkProgressInterval(999)).toThrow(UsageError);
    expect(() => checkProgressInterval(999)).toThrow('--progress-interval must be at least 1 second, got 0.999');
    expect(() => checkProgressInterval(Number.NaN)).toThrow(UsageError);
    expect(() => checkProgressInterval(1000)).not.toThrow();
  });

  it('draws a live line only on a terminal that says how wide it is', () => {
    const terminal = { isTTY: true, columns: 80 };
    expect(progressMode(false, terminal, { TERM: 'xterm-256color' })).toBe('live');
    expect(progressMode(true, terminal, {})).toBe('off');
    expect(progressMode(false, { isTTY: false }, {})).toBe('lines');
    expect(progressMode(false, terminal, { TERM: 'dumb' })).toBe('lines');
    expect(progressMode(false, { isTTY: true, columns: 0 }, {})).toBe('lines');
  });

  it('timestamps are ISO, to the second, in UTC', () => {
    expect(timestamp(new Date('2026-11-25T10:31:02.999+08:00'))).toBe('2026-11-25T02:31:02Z');
  });
});

describe('colorLevel', () => {
  const terminal = { isTTY: true, getColorDepth: () => 8 };
  const file = { isTTY: false };

  it('follows the stream: a terminal gets its colours, a file or pipe none', () => {
    expect(colorLevel(terminal, {})).toBe(2);
    expect(colorLevel({ isTTY: true, getColorDepth: () => 24 }, {})).toBe(3);
    expect(colorLevel(file, {})).toBe(0);
    expect(colorLevel({ isTTY: true, getColorDepth: () => 8 }, { TERM: 'dumb' })).toBe(0);
  });

  it('NO_COLOR turns colour off; an empty one does not', () => {
    expect(colorLevel(terminal, { NO_COLOR: '1' })).toBe(0);
    expect(colorLevel(terminal, { NO_COLOR: '' })).toBe(2);
  });

  it('FORCE_COLOR forces colour even into a file, and wins over NO_COLOR; 0 or false turns it off', () => {
    expect(colorLevel(file, { FORCE_COLOR: '1' })).toBe(1);
    expect(colorLevel(file, { FORCE_COLOR: '3', NO_COLOR: '1' })).toBe(3);
    expect(colorLevel(file, { FORCE_COLOR: 'true' })).toBe(1);
    expect(colorLevel(terminal, { FORCE_COLOR: '0' })).toBe(0);
    expect(colorLevel(terminal, { FORCE_COLOR: 'false' })).toBe(0);
    expect(colorLevel(file, { FORCE_COLOR: '' })).toBe(0);
  });

  it('--no-color wins over everything', () => {
    expect(colorLevel(terminal, { FORCE_COLOR: '3' }, false)).toBe(0);
  });
});

describe('width', () => {
  it('counts CJK and fullwidth characters as two columns, combining marks as none', () => {
    expect(stringWidth('abc')).toBe(3);
    expect(stringWidth('面试记录')).toBe(8);
    expect(stringWidth('ＡＢ')).toBe(4);
    expect(stringWidth('e\u0301')).toBe(1);
    expect(stringWidth('한국어')).toBe(6);
  });

  it('cuts to the columns given, never splitting a wide character across the edge', () => {
    expect(fitWidth('short', 10)).toBe('short');
    expect(fitWidth('0123456789abc', 10)).toBe('012345678…');
    expect(fitWidth('面试记录导出文件', 9)).toBe('面试记录…');
    expect(stringWidth(fitWidth('面试记录导出文件', 9))).toBe(9);
    expect(fitWidth('ab面试', 4)).toBe('ab…');
    expect(fitWidth('anything', 0)).toBe('');
  });
});

describe('ProblemGroups', () => {
  const notOneOf = (value: string) => `'${value}' is not one of 1, 2, 3 (from column conclusion)`;

  it('groups by field and reason with the values abstracted, counting records and keeping the first five lines', () => {
    const groups = new ProblemGroups();
    const lines = [14, 15, 88, 90, 91, 120];
    lines.forEach((line, index) => groups.add({ line, field: 'conclusion', reason: notOneOf(index % 2 ? 'maybe' : 'passed') }));
    groups.add({ line: 16, field: 'external_interview_id', reason: 'is required' });
    // One record with the same problem in two dimensions counts once.
    groups.add({ line: 30, field: 'assessment_dimension_list[0].score', reason: 'must be an integer (from column answer, line 30)' });
    groups.add({ line: 30, field: 'assessment_dimension_list[2].score', reason: 'must be an integer (from column answer, line 31)' });
    expect(groups.list()).toEqual([
      { field: 'conclusion', reason: "'…' is not one of 1, 2, 3 (from column conclusion)", count: 6, lines: [14, 15, 88, 90, 91], values: ["'passed'", "'maybe'"] },
      { field: 'external_interview_id', reason: 'is required', count: 1, lines: [16] },
      { field: 'assessment_dimension_list[].score', reason: 'must be an integer (from column answer, line …)', count: 1, lines: [30] },
    ]);
  });

  it('keeps a reason verbatim while it is the same for every record', () => {
    const groups = new ProblemGroups();
    groups.add({ line: 3, field: 'conclusion', reason: notOneOf('passed') });
    groups.add({ line: 4, field: 'conclusion', reason: notOneOf('passed') });
    expect(groups.list()).toEqual([{ field: 'conclusion', reason: notOneOf('passed'), count: 2, lines: [3, 4] }]);
  });

  it('abstracts ids in server answers, and keeps memory bounded: kinds beyond the limit share one group', () => {
    const groups = new ProblemGroups();
    groups.add({ line: 2, field: '(server)', reason: '1002002: interview 7010000000000001001 not found' });
    groups.add({ line: 3, field: '(server)', reason: '1002002: interview 7010000000000001002 not found' });
    for (let n = 0; n < groupsKept + 5; n++) groups.add({ line: 100 + n, field: `field${n}`, reason: 'odd' });
    const list = groups.list();
    expect(list).toHaveLength(groupsKept + 1);
    expect(list.find((group) => group.field === '(server)')).toEqual({ field: '(server)', reason: '1002002: interview … not found', count: 2, lines: [2, 3] });
    expect(list.find((group) => group.field === '*')).toEqual({
      field: '*',
      reason: 'other reasons (see the result log)',
      count: 6,
      lines: [100 + groupsKept - 1, 100 + groupsKept, 100 + groupsKept + 1, 100 + groupsKept + 2, 100 + groupsKept + 3],
    });
  });
});

describe('formatSummary', () => {
  it('says what happened and where the log is', () => {
    const text = formatSummary(summary(), noColors);
    expect(text).toContain('assessments: 10 records from export.csv into https://open.feishu.cn (app cli_a1b2) in 1.5s');
    expect(formatSummary(summary({ target: { url: 'sandbox', appId: null } }), noColors)).toContain('10 records from export.csv into the sandbox in');
    expect(text).toContain('created 8 · skipped 2 · invalid 0');
    const talents = formatSummary(summary({ resource: 'talents', counts: { read: 10, created: 3, updated: 0, matched: 5, skipped: 2, invalid: 0, failed: 0, blocked: 0, duplicates: 0 } }), noColors);
    expect(talents).toContain('talents: 10 records from export.csv');
    expect(talents).toContain('created 3 · matched 5 · skipped 2 · invalid 0');
    expect(text).toContain('p50 52 ms, p99 180 ms');
    expect(text).toContain('result log: export.results.jsonl');
    expect(importSucceeded(summary())).toBe(true);
  });

  it('lists problems grouped by reason, with counts and first lines, and prints the rerun command', () => {
    const problemGroups = [
      { field: 'conclusion', reason: "'…' is not one of 1, 2, 3", count: 312, lines: [14, 15, 88, 90, 91], values: ["'passed'", "'maybe'"] },
      { field: 'external_interview_id', reason: 'is required', count: 1, lines: [9] },
    ];
    const text = formatSummary(
      summary({ counts: { read: 400, created: 87, updated: 0, matched: 0, skipped: 0, invalid: 313, failed: 0, blocked: 0, duplicates: 0 }, rejects: 'export.rejects.csv', problemGroups }),
      noColors,
      'hire-import assessments export.rejects.csv --log export.results.jsonl',
    );
    expect(text).toContain(
      [
        '  problems, by reason:',
        "    conclusion: '…' is not one of 1, 2, 3 (e.g. 'passed', 'maybe') — 312 records, lines 14, 15, 88, 90, 91, …",
        '    external_interview_id: is required — 1 record, line 9',
      ].join('\n'),
    );
    expect(text).toContain('fix them there, then: hire-import assessments export.rejects.csv --log export.results.jsonl');
  });

  it('says which edited rejects files were kept and where this run\'s rejects are', () => {
    const rejected = { counts: { read: 1, created: 0, updated: 0, matched: 0, skipped: 0, invalid: 1, failed: 0, blocked: 0, duplicates: 0 }, rejects: 'e.rejects-3.csv' };
    expect(formatSummary(summary({ ...rejected, rejectsKept: ['e.rejects.csv', 'e.rejects-2.csv'] }), noColors)).toContain(
      "\n  e.rejects.csv, e.rejects-2.csv were edited since they were written: kept them; this run's rejects are in e.rejects-3.csv\n",
    );
    expect(formatSummary(summary(rejected), noColors)).not.toContain('edited since');
  });

  it('lists the ten commonest reasons and counts the rest', () => {
    const problemGroups = Array.from({ length: 13 }, (_, n) => ({ field: `f${n}`, reason: 'bad', count: 2, lines: [n * 2, n * 2 + 1] }));
    const text = formatSummary(summary({ problemGroups }), noColors);
    expect(text).toContain('    f9: bad — 2 records, lines 18, 19\n    … and 3 more reasons (6 records): see the result log');
    expect(text).not.toContain('f10:');
  });

  it('colours only with the colours it is given', () => {
    const failed = summary({ counts: { read: 1, created: 0, updated: 0, matched: 0, skipped: 0, invalid: 1, failed: 0, blocked: 0, duplicates: 0 } });
    expect(formatSummary(failed, noColors)).not.toContain('\x1b[');
    expect(formatSummary(failed, new Chalk({ level: 1 }))).toContain('\x1b[31minvalid 1\x1b[39m');
  });

  it('counts an interrupted or stopped run as unfinished', () => {
    expect(importSucceeded(summary({ interrupted: true }))).toBe(false);
    expect(importSucceeded(summary({ pending: 1 }))).toBe(false);
    expect(formatSummary(summary({ interrupted: true, pending: 4 }), noColors)).toContain('run the same command again to continue');
  });
});
