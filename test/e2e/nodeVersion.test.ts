/**
 * bin/hire-import.js on a Node.js older than package.json's engines floor: it says which version it needs and exits 2
 * before loading the command (which would crash with "File is not defined" on Node 18). The old Node is played by
 * the real one with process.versions.node overridden through NODE_OPTIONS, which the CLI itself knows nothing of:
 * a real process of the real binary, each.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCliProcess, workspace } from '../support/cli.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

function posingAs(nodeVersion: string): Record<string, string> {
  const script = `Object.defineProperty(process.versions, "node", { value: "${nodeVersion}" })`;
  return { NODE_OPTIONS: `--import=data:text/javascript,${encodeURIComponent(script)}` };
}

describe('bin/hire-import.js on an old Node.js', () => {
  it('names the version it needs and exits 2, touching nothing', async () => {
    const folder = workspace('fixtures/assessments.csv');
    const run = await runCliProcess(['assessments', 'assessments.csv', '--sandbox'], { cwd: folder, env: posingAs('18.19.0') });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'hire-import: needs Node.js 20.18.1 or newer, and this is Node.js 18.19.0: ' +
        'install a current LTS release (https://nodejs.org, or nvm install --lts) and run it again\n',
    );
    expect(run.stdout).toBe('');
    expect(readdirSync(folder)).toEqual(['assessments.csv']);
  });

  it('runs the command on the floor version itself', async () => {
    const run = await runCliProcess(['--version'], { env: posingAs('20.18.1') });
    expect(run).toMatchObject({ code: 0, stderr: '', stdout: `${version}\n` });
  });
});
