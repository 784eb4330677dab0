/** An import's summary as the tests of reporting start from: 10 read, 8 created, 2 already done; override the rest. */
import type { ImportSummary } from '../../src/report/summary.js';

export function importSummary(overrides: Partial<ImportSummary> = {}): ImportSummary {
  return {
    resource: 'assessments',
    target: { url: 'https://open.feishu.cn', appId: 'cli_a1b2' },
    file: 'export.csv',
    warnings: [],
    log: 'export.results.jsonl',
    rejects: null,
    rejectsKept: [],
    dryRun: false,
    interrupted: false,
    stoppedEarly: null,
    counts: { read: 10, created: 8, updated: 0, matched: 0, skipped: 2, invalid: 0, failed: 0, blocked: 0, duplicates: 0 },
    pending: 0,
    wouldCreate: 0,
    wouldUpdate: 0,
    retryable: 0,
    requests: 9,
    retries: 1,
    rateLimited: 0,
    tokenRenewals: 0,
    tokensRefused: 0,
    outages: 0,
    outageMs: 0,
    latency: { p50Ms: 52, p99Ms: 180 },
    elapsedMs: 1500,
    sendRate: 5.3,
    problems: [],
    unlogged: [],
    problemGroups: [],
    ...overrides,
  };
}
