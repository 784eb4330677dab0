/**
 * The command line itself, run as a user runs it: words a user would guess for a command, and help as JSON for
 * scripts and completions.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resourceNames } from '../../src/endpoints/registry.js';
import { ExitCode, exitCodeMeanings, verifyExitCodeMeanings } from '../../src/errors.js';
import { runCli, workspace } from '../support/cli.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

describe('an unknown command', () => {
  it.each([
    ['candidates', 'talents'],
    ['feedback', 'assessments'],
    ['scorecards', 'assessments'],
    ['asessments', 'assessments'],
    ['migrat', 'migrate'],
  ])('%s: exit 2, suggesting %s, and the suggestion runs', async (word, meant) => {
    const folder = workspace('fixtures/assessments.csv');
    const run = await runCli([word, 'assessments.csv', '--dry-run'], { cwd: folder });
    expect(run.code).toBe(ExitCode.usage);
    expect(run.stderr).toContain(`error: unknown command '${word}' (did you mean '${meant}'?)`);
    const suggested = await runCli([meant, '--help'], { cwd: folder });
    expect(suggested.code).toBe(0);
  });

  it('import: names the import commands, one per resource, and the example given runs', async () => {
    const folder = workspace('fixtures/assessments.csv');
    const run = await runCli(['import', 'assessments.csv'], { cwd: folder });
    expect(run.code).toBe(ExitCode.usage);
    expect(run.stderr).toContain(`error: unknown command 'import': each resource has its own import command (${resourceNames.join(', ')}), e.g. hire-import assessments FILE`);
    expect((await runCli(['assessments', 'assessments.csv', '--dry-run'], { cwd: folder })).code).toBe(0);
  });

  it('answers in JSON with --json', async () => {
    const run = await runCli(['candidates', 'x.csv', '--json']);
    expect(run.code).toBe(ExitCode.usage);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, exitCode: ExitCode.usage, error: { kind: 'UsageError', message: expect.stringContaining("did you mean 'talents'") } });
  });
});

describe('--help --json', () => {
  it('prints the program as JSON: every command, the global options, the exit codes', async () => {
    const run = await runCli(['--help', '--json']);
    expect(run.code).toBe(0);
    const help = JSON.parse(run.stdout);
    expect(help).toMatchObject({ name: 'hire-import', version });
    expect(help.commands.map((command: { name: string }) => command.name)).toEqual([...resourceNames, 'migrate', 'sandbox', 'verify', 'undo', 'probe', 'status', 'init', 'preview']);
    expect(help.options).toContainEqual(expect.objectContaining({ flags: '--no-color' }));
    expect(help.exitCodes).toHaveLength(Object.keys(exitCodeMeanings).length);
    expect(help.exitCodes).toContainEqual({ code: ExitCode.usage, name: 'usage', meaning: expect.any(String) });
  });

  it("prints one command's arguments, options with their defaults, choices and variables, and its exit codes", async () => {
    const run = await runCli(['verify', '--json', '--help']);
    expect(run.code).toBe(0);
    const help = JSON.parse(run.stdout);
    expect(help).toMatchObject({ name: 'verify', arguments: [{ name: 'target', required: true }, { name: 'file', required: false }] });
    expect(help.options).toContainEqual(expect.objectContaining({ flags: '--app-id <id>', env: 'FEISHU_APP_ID' }));
    expect(help.options).toContainEqual(expect.objectContaining({ flags: '--base-url <url>', default: 'https://open.feishu.cn' }));
    expect(help.exitCodes.map((code: { name: string }) => code.name)).toEqual(Object.keys(verifyExitCodeMeanings));
    const importHelp = JSON.parse((await runCli(['init', 'x.csv', '--help', '--json'])).stdout);
    expect(importHelp.options).toContainEqual(expect.objectContaining({ flags: '--resource <name>', choices: resourceNames }));
  });
});
