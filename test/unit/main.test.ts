import { describe, expect, it } from 'vitest';
import { ConfigError, DamagedLogError, exitCodeFor, LockedError, LogWriteError, ServiceUnavailableError } from '../../src/errors.js';
import { reportImport, runCommand, type Output } from '../../src/main.js';
import type { ImportSummary } from '../../src/report/summary.js';

function captured(): Output & { out: string; err: string } {
  const output = { out: '', err: '', stdout: (text: string) => void (output.out += text), stderr: (text: string) => void (output.err += text) };
  return output;
}

const summary: ImportSummary = {
  resource: 'assessments',
  target: { url: 'https://open.feishu.cn', appId: 'cli_a1b2' },
  file: 'export.csv',
  log: 'export.results.jsonl',
  rejects: null,
  dryRun: false,
  interrupted: false,
  stoppedEarly: null,
  counts: { read: 3, created: 1, updated: 0, matched: 0, skipped: 0, invalid: 0, failed: 0 },
  pending: 0,
  wouldCreate: 0,
  wouldUpdate: 0,
  requests: 1,
  retries: 0,
  rateLimited: 0,
  tokenRenewals: 0,
  tokensRefused: 0,
  latency: { p50Ms: 5, p99Ms: 5 },
  elapsedMs: 100,
  sendRate: 10,
  problems: [],
  unlogged: [],
};

describe('exit codes', () => {
  it('gives each kind of stop its own code, and anything unexpected 70, never 1', () => {
    expect(exitCodeFor(new ConfigError('x'))).toBe(2);
    expect(exitCodeFor(new DamagedLogError('x'))).toBe(2);
    expect(exitCodeFor(new ServiceUnavailableError('x'))).toBe(69);
    expect(exitCodeFor(new LogWriteError('x'))).toBe(74);
    expect(exitCodeFor(new LockedError('x'))).toBe(75);
    expect(exitCodeFor(Object.assign(new Error('EACCES: permission denied, open'), { code: 'EACCES', syscall: 'open' }))).toBe(2);
    expect(exitCodeFor(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(70);
    expect(exitCodeFor(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' }))).toBe(74);
    expect(exitCodeFor('a string')).toBe(70);
  });

  it('reports a bug as a bug: exit 70 and a request for a report', async () => {
    const output = captured();
    const code = await runCommand(() => Promise.reject(new TypeError('x is not a function')), () => 0, output);
    expect(code).toBe(70);
    expect(output.err).toBe('hire-import: x is not a function\nthis is a bug in hire-import; please report it with DEBUG=1 output\n');
  });

  it('prints the summary of a run stopped early, then why, with the stop\'s code; --json carries both', () => {
    const output = captured();
    const unlogged = [{ resource: 'assessments', external_id: 'R-1', status: 'created' as const, id: '7', file: 'export.csv', line: 2, at: '2026-11-24T00:00:00.000Z' }];
    const stop = new LogWriteError('cannot write the result log export.results.jsonl: the disk is full (ENOSPC)');
    const code = reportImport({ ...summary, unlogged, stop }, true, output);
    expect(code).toBe(74);
    expect(output.err).toMatch(/^✖ assessments: 3 records from export.csv/);
    expect(output.err).toContain(`\nunlogged: ${JSON.stringify(unlogged[0])}\n`);
    expect(output.err.trimEnd().split('\n').at(-1)).toBe(`hire-import: ${stop.message}`);
    expect(JSON.parse(output.out)).toMatchObject({ ok: false, exitCode: 74, unlogged, error: { kind: 'LogWriteError', message: stop.message } });
  });
});
