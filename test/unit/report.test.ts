import { describe, expect, it } from 'vitest';
import { formatProgress } from '../../src/report/progress.js';
import { formatSummary, importSucceeded, type ImportSummary } from '../../src/report/summary.js';

const summary = (overrides: Partial<ImportSummary> = {}): ImportSummary => ({
  resource: 'assessments',
  target: { url: 'https://open.feishu.cn', appId: 'cli_a1b2' },
  file: 'export.csv',
  log: 'export.results.jsonl',
  rejects: null,
  dryRun: false,
  interrupted: false,
  stoppedEarly: null,
  counts: { read: 10, created: 8, updated: 0, matched: 0, skipped: 2, invalid: 0, failed: 0 },
  pending: 0,
  wouldCreate: 0,
  wouldUpdate: 0,
  requests: 9,
  retries: 1,
  rateLimited: 0,
  tokenRenewals: 0,
  tokensRefused: 0,
  latency: { p50Ms: 52, p99Ms: 180 },
  elapsedMs: 1500,
  sendRate: 5.3,
  problems: [],
  unlogged: [],
  ...overrides,
});

describe('formatProgress', () => {
  it('shows done/total, share, rate and ETA', () => {
    const line = formatProgress({ finished: 500, total: 2000, created: 470, matched: 10, skipped: 10, invalid: 10, failed: 0, rate: 20, elapsedMs: 25_000 });
    expect(line).toBe('500/2,000 (25%) · created 470 · matched 10 · skipped 10 · invalid 10 · 20.0/s · 25s · ETA 1m15s');
  });

  it('shows no total or ETA when the total is unknown', () => {
    expect(formatProgress({ finished: 3, created: 3, matched: 0, skipped: 0, invalid: 0, failed: 0, rate: 0, elapsedMs: 900 })).toBe('3 · created 3 · 0.0/s · 0.9s');
  });
});

describe('formatSummary', () => {
  it('says what happened and where the log is', () => {
    const text = formatSummary(summary());
    expect(text).toContain('assessments: 10 records from export.csv into https://open.feishu.cn (app cli_a1b2) in 1.5s');
    expect(formatSummary(summary({ target: { url: 'sandbox', appId: null } }))).toContain('10 records from export.csv into the sandbox in');
    expect(text).toContain('created 8 · already done 2 · invalid 0');
    const talents = formatSummary(summary({ resource: 'talents', counts: { read: 10, created: 3, updated: 0, matched: 5, skipped: 2, invalid: 0, failed: 0 } }));
    expect(talents).toContain('talents: 10 records from export.csv');
    expect(talents).toContain('created 3 · matched 5 · already done 2 · invalid 0');
    expect(text).toContain('p50 52 ms, p99 180 ms');
    expect(text).toContain('result log: export.results.jsonl');
    expect(importSucceeded(summary())).toBe(true);
  });

  it('tables the problems with line, id, field and reason, and prints the rerun command', () => {
    const text = formatSummary(
      summary({
        counts: { read: 10, created: 7, updated: 0, matched: 0, skipped: 0, invalid: 3, failed: 0 },
        rejects: 'export.rejects.csv',
        problems: [{ line: 9, external_id: 'A-1', field: 'conclusion', reason: 'must be one of 1, 2, 3' }],
      }),
      'hire-import assessments export.rejects.csv --log export.results.jsonl',
    );
    expect(text).toMatch(/line\s+external_id\s+field\s+reason/);
    expect(text).toMatch(/9\s+A-1\s+conclusion\s+must be one of 1, 2, 3/);
    expect(text).toContain('… and 2 more in the result log');
    expect(text).toContain('fix them there, then: hire-import assessments export.rejects.csv --log export.results.jsonl');
  });

  it('counts an interrupted or stopped run as unfinished', () => {
    expect(importSucceeded(summary({ interrupted: true }))).toBe(false);
    expect(importSucceeded(summary({ pending: 1 }))).toBe(false);
    expect(formatSummary(summary({ interrupted: true, pending: 4 }))).toContain('run the same command again to continue');
  });
});
