/**
 * The README's "Your own export in five minutes", run as written: its commands are read from the README itself and
 * pasted into bash from a folder laid out like a clone (its bin, the fixture), then the rejects hint the import
 * prints is pasted after the fix the README describes. And `init FILE` without --resource: it names the resource
 * the columns point to, asks on a terminal when they do not, and otherwise refuses with a command that works.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { paste, readLog, repoRoot, runCli, sandboxLog, workspace } from '../support/cli.js';

/** A clone's PATH: no hire-import on it. */
const clonePath = process.env.PATH!;

/** The shell block of a README section. */
function readmeCommands(heading: string): string[] {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf(`\n## ${heading}\n`));
  expect(section.length).toBeLessThan(readme.length);
  const block = /```sh\n([\s\S]*?)```/.exec(section)![1]!;
  return block.split('\n').filter((line) => line.trim() !== '');
}

describe('an export without a mapping and with none of the default columns', () => {
  it('is refused with an init command that starts with the program as run, and that command drafts the mapping', async () => {
    const clone = mkdtempSync(join(tmpdir(), 'hire-import-clone-'));
    symlinkSync(join(repoRoot, 'bin'), join(clone, 'bin'));
    mkdirSync(join(clone, 'exports'));
    writeFileSync(join(clone, 'exports/scores.csv'), 'Ref,Interview ref,Verdict\nR1,I1,pass\n');
    const refused = await paste('./bin/hire-import.js assessments exports/scores.csv --dry-run', clone, clonePath);
    expect(refused.code).toBe(2);
    const init = /run `([^`]*)` to draft a mapping/.exec(refused.stderr)?.[1];
    expect(init).toBe('./bin/hire-import.js init exports/scores.csv --resource assessments');
    const drafted = await paste(init!, clone, clonePath);
    expect(drafted.code, drafted.stderr).toBe(0);
    expect(readFileSync(join(clone, 'exports/scores.mapping.yaml'), 'utf8')).toContain('fields:');
  });
});

describe('the README\'s "Your own export in five minutes"', () => {
  it('works as written from a clone: init guesses talents, preview, a dry run, the rehearsal, and the fix pasted', async () => {
    const clone = mkdtempSync(join(tmpdir(), 'hire-import-clone-'));
    symlinkSync(join(repoRoot, 'bin'), join(clone, 'bin'));
    mkdirSync(join(clone, 'fixtures'));
    cpSync(join(repoRoot, 'fixtures/own-export'), join(clone, 'fixtures/own-export'), { recursive: true });
    const [init, preview, dryRun, rehearsal, ...rest] = readmeCommands('Your own export in five minutes');
    expect(rest).toEqual([]);

    const drafted = await paste(init!, clone, clonePath);
    expect(drafted.stderr).toContain('fixtures/own-export/candidates.csv looks like talents: its columns Candidate ID, Name, Email, Mobile, Gender, Date of birth are theirs');
    expect(drafted.code).toBe(0);
    const mapping = readFileSync(join(clone, 'fixtures/own-export/candidates.mapping.yaml'), 'utf8');
    expect(mapping).toContain('  basic_info.name: Name\n');
    expect(mapping).toContain('#   Source: e.g. "Referral"');
    expect(mapping).toContain('#   "unknown" in fields.basic_info.gender');

    const shown = await paste(preview!, clone, clonePath);
    expect(shown.stdout).toContain('"name": "王芳"');
    expect(shown.stdout).toContain('"name": "Li Lei"');
    expect(shown.code).toBe(0);

    const checked = await paste(dryRun!, clone, clonePath);
    expect(checked.stderr).toContain('would create 4');
    expect(checked.stderr).toMatch(/basic_info\.gender: 'unknown' .* — 1 record, line 5/);
    expect(checked.code).toBe(1);

    const imported = await paste(rehearsal!, clone, clonePath);
    expect(imported.stderr).toContain('created 4');
    expect(imported.code).toBe(1);
    const hint = imported.stderr.split('\n').find((line) => line.startsWith('  fix them there, then: '))!.slice('  fix them there, then: '.length);
    expect(hint).toBe('./bin/hire-import.js talents fixtures/own-export/candidates.rejects.csv --mapping fixtures/own-export/candidates.mapping.yaml --sandbox');
    const rejects = join(clone, 'fixtures/own-export/candidates.rejects.csv');
    writeFileSync(rejects, readFileSync(rejects, 'utf8').replace(',unknown,', ',male,'));
    const fixed = await paste(hint, clone, clonePath);
    expect(fixed.stderr).toContain('created 1');
    expect(fixed.code).toBe(0);
    expect(readLog(sandboxLog(clone, 'talents')).filter((entry) => entry.status === 'created')).toHaveLength(5);
    expect((await paste(rehearsal!, clone, clonePath)).stderr).toContain('created 0 · skipped 5');
  });
});

describe('init FILE without --resource', () => {
  it('refuses a header that names no resource clearly, with the candidates and a command that works when pasted', async () => {
    const folder = workspace();
    writeFileSync(join(folder, 'export.csv'), 'id,result\nX-1,clear\n');
    const refused = await runCli(['init', 'export.csv'], { cwd: folder });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      'hire-import: cannot tell from its columns which resource export.csv is; it could be assessments (id, result) or background-checks (id, result): ' +
        'say which with --resource (talents, applications, interviews, assessments, offers, background-checks), e.g. hire-import init export.csv --resource assessments\n',
    );
    const again = refused.stderr.slice(refused.stderr.indexOf('e.g. ') + 'e.g. '.length).trim();
    const drafted = await paste(again, folder);
    expect(drafted.code).toBe(0);
    expect(drafted.stderr).toMatch(/^wrote export\.mapping\.yaml: /);
  });

  it('asks on a terminal, and drafts for the resource typed', async () => {
    const folder = workspace();
    writeFileSync(join(folder, 'export.csv'), 'id,result\nX-1,clear\n');
    const asked = await runCli([], { cwd: folder, input: 'offers\n', env: { TERM: 'dumb' }, shell: (cli) => `script -qec ${JSON.stringify(`${cli} init export.csv`)} /dev/null` });
    expect(asked.stdout).toContain('Which resource is export.csv; it could be ');
    expect(asked.stdout).toContain('wrote export.mapping.yaml: offers');
    expect(readFileSync(join(folder, 'export.mapping.yaml'), 'utf8')).toContain('  external_id: id\n');
  });
});
