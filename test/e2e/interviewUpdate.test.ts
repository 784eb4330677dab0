/**
 * An interview update never loses its assessments (issue 16): an interview PUT replaces all of its assessments on
 * Feishu, those created on their own too (the docs' reading), so `--update-changed` of an interview that has
 * stand-alone assessments logged is refused before sending, with what to do; an interview without them is updated.
 * Through a plan (`migrate --update-changed`) under both readings, and a single import whose printed rerun is pasted.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/server.js';
import { credentialEnv, credentials, paste, readLog, runCli, sandboxLog, stateLog, workspace } from '../support/cli.js';
import { assessmentsCsv, assessmentsYaml, interviewsYaml, planYaml } from '../support/interviewChain.js';

// I-3 has no assessment of its own (assessmentsCsv: F-1 and F-2 under I-1, F-3 under I-2).
const interviewsCsv = 'interview,application,begin\nI-1,7000000000000000001,2024-03-05 14:00\nI-2,7000000000000000001,2024-03-08 10:00\nI-3,7000000000000000002,2024-03-09 09:00\n';

function exportFolder(): string {
  const folder = workspace();
  const files = { 'interviews.csv': interviewsCsv, 'interviews.yaml': interviewsYaml, 'assessments.csv': assessmentsCsv, 'assessments.yaml': assessmentsYaml, 'migration.yaml': planYaml };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(folder, name), text);
  return folder;
}

/** I-1 (two assessments of its own) and I-3 (none) rescheduled in the export. */
function reschedule(folder: string): void {
  const changed = interviewsCsv.replace('I-1,7000000000000000001,2024-03-05 14:00', 'I-1,7000000000000000001,2024-03-05 15:00').replace('2024-03-09 09:00', '2024-03-09 11:00');
  writeFileSync(join(folder, 'interviews.csv'), changed);
}

const refusal = (log: string) =>
  'an update (PUT) of this external interview replaces all of its external interview assessments on Feishu, and 2 external interview ' +
  `assessments created on their own are logged under it in ${log}: not sent, so that none is lost; to change it, undo the interviews ` +
  'with their assessments, then import both again';

describe.each(['docs', 'sdk'] as const)('migrate --update-changed of interviews with assessments of their own (%s reading)', (reading) => {
  it('refuses the interview whose assessments it would remove, updates the other, and every assessment stays once under its logged id', async () => {
    const sandbox = await startSandbox({ ...credentials, rateLimit: 0, reading });
    try {
      const folder = exportFolder();
      const cli = (...args: string[]) => runCli(args, { cwd: folder, env: credentialEnv(sandbox.url) });
      expect((await cli('migrate', 'migration.yaml', '--quiet')).code).toBe(0);
      const assessmentsLog = stateLog(folder, sandbox.url, 'assessments');
      const loggedIds = () => Object.fromEntries(readLog(assessmentsLog).filter((entry) => entry.status === 'created').map((entry) => [entry.external_id, entry.id]));
      const before = loggedIds();
      expect(Object.keys(before).sort()).toEqual(['F-1', 'F-2', 'F-3']);

      reschedule(folder);
      const updated = await cli('migrate', 'migration.yaml', '--update-changed', '--json');
      expect(updated.code).toBe(1); // I-1 refused
      const steps = JSON.parse(updated.stdout).steps as Array<{ counts: Record<string, number>; problems: unknown[] }>;
      expect(steps.map((step) => [step.counts.updated, step.counts.invalid, step.counts.skipped])).toEqual([
        [1, 1, 1],
        [0, 0, 3],
      ]);
      expect(steps[0]!.problems).toEqual([{ line: 2, external_id: 'I-1', field: 'interview_assessments', reason: refusal(assessmentsLog) }]);
      expect(sandbox.stats().updated).toBe(1);

      // Every assessment of the export is on the server once, under the id its log holds.
      const stored = sandbox.assessments();
      expect(stored.map((record) => record.id).sort()).toEqual(Object.values(before).sort());
      expect(loggedIds()).toEqual(before);
      const interviewLog = readLog(stateLog(folder, sandbox.url, 'interviews'));
      const i3 = interviewLog.find((entry) => entry.external_id === 'I-3' && entry.status === 'updated')!.id as string;
      expect(sandbox.records('interviews').find((record) => record.id === i3)!.body.begin_time).toBe(Date.UTC(2024, 2, 9, 3));

      // What verify still finds different is I-1, whose new time was not sent; the assessments are all there.
      const verified = await cli('verify', 'migration.yaml', '--json');
      const counts = JSON.parse(verified.stdout).steps.map((step: { counts: Record<string, number> }) => [step.counts.differs, step.counts.missing ?? 0]);
      expect(counts).toEqual([
        [1, 0],
        [0, 0],
      ]);
    } finally {
      await sandbox.close();
    }
  });
});

describe('interviews --update-changed alone, and the rerun it prints', () => {
  it('refuses again when the printed command is pasted, and the assessments verify as all there', async () => {
    const folder = exportFolder();
    const cli = (...args: string[]) => runCli(args, { cwd: folder });
    expect((await cli('interviews', 'interviews.csv', '-m', 'interviews.yaml', '--sandbox', '--quiet')).code).toBe(0);
    expect((await cli('assessments', 'assessments.csv', '-m', 'assessments.yaml', '--sandbox', '--quiet')).code).toBe(0);
    reschedule(folder);

    const run = await cli('interviews', 'interviews.csv', '-m', 'interviews.yaml', '--sandbox', '--update-changed');
    expect(run.code).toBe(1);
    const assessmentsLog = join(folder, sandboxLog('.', 'assessments'));
    expect(run.stderr).toContain(refusal(assessmentsLog));
    const hint = run.stderr.split('\n').find((line) => line.startsWith('  fix them there, then: '))!.slice('  fix them there, then: '.length).trim();
    expect(hint).toBe('hire-import interviews interviews.rejects.csv --mapping interviews.yaml --sandbox --update-changed');
    expect(readFileSync(join(folder, 'interviews.rejects.csv'), 'utf8')).toContain('I-1,7000000000000000001,2024-03-05 15:00');

    const pasted = await paste(hint, folder);
    expect(pasted.code).toBe(1);
    expect(pasted.stderr).toContain(refusal(assessmentsLog));

    const verified = await cli('verify', 'assessments', 'assessments.csv', '-m', 'assessments.yaml', '--sandbox', '--json');
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout).counts).toMatchObject({ ok: 3, differs: 0, missing: 0 });
  });
});
