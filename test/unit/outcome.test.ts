import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  createFailure,
  DamagedLogError,
  exitCodeFor,
  LockedError,
  LogWriteError,
  ServiceUnavailableError,
  StoppedOnPurposeError,
  UsageError,
} from '../../src/errors.js';
import type { MigrateResult } from '../../src/commands/migrate.js';
import { jsonOut, reportImport, reportPlan, runCommand, type Output } from '../../src/outcome.js';
import { noColors } from '../../src/report/colors.js';
import { importSummary } from '../support/importSummary.js';

function captured(): Output & { out: string; err: string } {
  const output = {
    out: '',
    err: '',
    stdout: (text: string) => void (output.out += text),
    stderr: (text: string) => void (output.err += text),
    colors: { stdout: noColors, stderr: noColors },
  };
  return output;
}

const summary = importSummary({ counts: { read: 3, created: 1, updated: 0, matched: 0, skipped: 2, invalid: 0, failed: 0, blocked: 0, duplicates: 0 } });

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
    expect(exitCodeFor(new StoppedOnPurposeError('x'))).toBe(3);
  });

  it('says why a file cannot be created and what to do: a missing or read-only folder is 2, a full disk 74', () => {
    const system = (code: string) => Object.assign(new Error(`${code}: refused, open 'logs/x.jsonl'`), { code, syscall: 'open' });
    const missing = createFailure('the result log', 'logs/x.jsonl', system('ENOENT'), 'or pass --log FILE to keep it elsewhere');
    expect(missing).toBeInstanceOf(UsageError);
    expect(missing.message).toBe('cannot create the result log in logs/: the folder does not exist; create it, or pass --log FILE to keep it elsewhere');
    const readOnly = createFailure('the result log', 'logs/x.jsonl', system('EACCES'), 'or pass --log FILE to keep it elsewhere');
    expect(readOnly.message).toBe('cannot create the result log in logs/: no permission to create files in that folder; make it writable, or pass --log FILE to keep it elsewhere');
    const full = createFailure('the result log', 'logs/x.jsonl', system('ENOSPC'), 'or pass --log FILE');
    expect(full).toBeInstanceOf(LogWriteError);
    expect(full.message).toBe("cannot write the result log logs/x.jsonl: the disk is full (ENOSPC: refused, open 'logs/x.jsonl')");
    expect(exitCodeFor(full)).toBe(74);
  });

  it('reports a bug as a bug: exit 70 and a request for a report', async () => {
    const output = captured();
    const code = await runCommand(() => Promise.reject(new TypeError('x is not a function')), () => 0, output);
    expect(code).toBe(70);
    expect(output.err).toBe('hire-import: x is not a function\nthis is a bug in hire-import; please report it with DEBUG=1 output\n');
  });

  it('with --json, writes one object for an error before any summary, and never a second one', async () => {
    const output = captured();
    const json = jsonOut(output);
    const code = await runCommand(() => Promise.reject(new UsageError('export.csv: no such file')), () => 0, output, json);
    expect(code).toBe(2);
    expect(JSON.parse(output.out)).toEqual({ ok: false, exitCode: 2, error: { kind: 'UsageError', message: 'export.csv: no such file' } });
    json({ ok: false, exitCode: 70 }); // a bug noticed afterwards
    expect(JSON.parse(output.out)).toMatchObject({ exitCode: 2 });
  });

  it('reports a bug that stopped an import mid-run as a bug, after the partial summary: 70, never 1', () => {
    const output = captured();
    const code = reportImport({ ...summary, stop: new TypeError("Cannot read properties of undefined (reading 'id')") }, jsonOut(output), output);
    expect(code).toBe(70);
    expect(output.err).toMatch(/^✖ assessments: 3 records from export.csv/);
    expect(output.err).toContain("hire-import: Cannot read properties of undefined (reading 'id')\nthis is a bug in hire-import; please report it with DEBUG=1 output\n");
    expect(JSON.parse(output.out)).toMatchObject({ ok: false, exitCode: 70, counts: { created: 1 }, error: { kind: 'TypeError' } });
  });

  it('prints the summary of a run stopped early, then why, with the stop\'s code; --json carries both', () => {
    const output = captured();
    const unlogged = [{ resource: 'assessments', external_id: 'R-1', status: 'created' as const, id: '7', file: 'export.csv', line: 2, at: '2026-11-24T00:00:00.000Z' }];
    const stop = new LogWriteError('cannot write the result log export.results.jsonl: the disk is full (ENOSPC)');
    const code = reportImport({ ...summary, unlogged, stop }, jsonOut(output), output);
    expect(code).toBe(74);
    expect(output.err).toMatch(/^✖ assessments: 3 records from export.csv/);
    expect(output.err).toContain(`\nunlogged: ${JSON.stringify(unlogged[0])}\n`);
    expect(output.err.trimEnd().split('\n').at(-1)).toBe(`hire-import: ${stop.message}`);
    expect(JSON.parse(output.out)).toMatchObject({ ok: false, exitCode: 74, unlogged, error: { kind: 'LogWriteError', message: stop.message } });
  });
});

describe('reportPlan', () => {
  const step = (index: number, name: string) => ({ index, name, resource: name, input: `/p/${name}.csv`, mapping: `/p/${name}.yaml`, log: `/p/${name}.results.jsonl` });
  const result = (steps: MigrateResult['steps'], exitCode: number): MigrateResult => ({
    plan: { file: '/p/migration.yaml', steps: steps.map((end) => end.step) },
    rerun: 'hire-import migrate migration.yaml',
    dryRun: false,
    sandbox: false,
    steps,
    exitCode,
  });

  it("prints each step's summary or error in order, then the plan's code; --json has one entry per step", () => {
    const output = captured();
    const locked = new LockedError('/p/offers.results.jsonl is held by another import');
    const ran = result(
      [
        { step: step(0, 'applications'), exitCode: 0, result: { ...summary, resource: 'applications' } },
        { step: step(1, 'offers'), exitCode: 75, error: locked },
      ],
      75,
    );
    expect(reportPlan(ran, jsonOut(output), output)).toBe(75);
    expect(output.err).toMatch(/^✔ applications: 3 records from export\.csv/);
    expect(output.err).toContain('✖ offers: /p/offers.results.jsonl is held by another import\n');
    expect(output.err.trimEnd().split('\n').at(-1)).toBe('plan migration.yaml: exit code 75; run the plan again (what is done is not sent again): hire-import migrate migration.yaml');
    const document = JSON.parse(output.out);
    expect(document).toMatchObject({ plan: '/p/migration.yaml', dryRun: false, ok: false, exitCode: 75 });
    expect(document.steps).toEqual([
      { step: 'applications', ...summary, resource: 'applications', ok: true, exitCode: 0 },
      { step: 'offers', resource: 'offers', ok: false, exitCode: 75, error: { kind: 'LockedError', message: locked.message } },
    ]);
  });

  it('says which records to fix when some are, and nothing more when every step is done', () => {
    const blocked = { ...summary, counts: { ...summary.counts, blocked: 1 } };
    const failing = captured();
    expect(reportPlan(result([{ step: step(0, 'interviews'), exitCode: 1, result: blocked }], 1), undefined, failing)).toBe(1);
    expect(failing.err).toContain('plan migration.yaml: exit code 1; fix the records named above in the inputs (or their parents), then run the plan again');
    expect(failing.out).toBe('');
    const done = captured();
    expect(reportPlan(result([{ step: step(0, 'interviews'), exitCode: 0, result: summary }], 0), undefined, done)).toBe(0);
    expect(done.err.trimEnd().split('\n').at(-1)).toBe('✔ plan migration.yaml: every step done');
  });
});
