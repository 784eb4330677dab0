/**
 * SIGINT, SIGTERM and SIGHUP end every command that sends requests the tool's way (issue 17): the real CLI as a
 * subprocess, signalled as soon as it shows life (its first line on stderr), stops after what is under way and
 * exits 130 with its "stopping" line, never killed by the signal itself. Small inputs and a slow sandbox keep each
 * run short and still under way when the signal comes. No timings are asserted.
 */
import { EventEmitter } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { credentialEnv, credentials, runCli, startCli, waitFor, workspace } from '../support/cli.js';

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

/** Applications and their interviews, with a plan of the two (each interview names its application's log). */
async function setup() {
  sandbox = await startSandbox({ ...credentials, seed: 5, rateLimit: 0, latencyMs: 300 });
  const folder = workspace();
  const rows = (header: string, count: number, row: (n: number) => string) => `${[header, ...Array.from({ length: count }, (_, n) => row(n))].join('\n')}\n`;
  writeFileSync(join(folder, 'applications.csv'), rows('application,talent,job', 12, (n) => `A${n},T${n},Engineer ${n}`));
  writeFileSync(join(folder, 'interviews.csv'), rows('interview,application', 12, (n) => `I${n},A${n}`));
  writeFileSync(join(folder, 'applications.yaml'), 'fields:\n  external_id: application\n  talent_id: talent\n  job_title: job\n');
  writeFileSync(join(folder, 'interviews.yaml'), 'lookups:\n  applications: { step: applications }\nfields:\n  external_id: interview\n  external_application_id: { from: application, lookup: applications }\n');
  writeFileSync(
    join(folder, 'migration.yaml'),
    'steps:\n  - { name: applications, resource: applications, input: applications.csv, mapping: applications.yaml }\n' +
      '  - { resource: interviews, input: interviews.csv, mapping: interviews.yaml }\n',
  );
  return { folder, env: credentialEnv(sandbox.url) };
}

const commands = {
  import: { args: ['applications', 'applications.csv', '-m', 'applications.yaml', '--rate', '5'], imported: false },
  migrate: { args: ['migrate', 'migration.yaml', '--rate', '5'], imported: false },
  verify: { args: ['verify', 'migration.yaml', '--rate', '5'], imported: true },
  undo: { args: ['undo', 'migration.yaml', '--yes', '--concurrency', '1'], imported: true },
};
const signals = ['SIGHUP', 'SIGTERM', 'SIGINT'] as const;
const cases = Object.keys(commands).flatMap((command) => signals.map((signal) => [command as keyof typeof commands, signal] as const));

describe('every signal ends every sending command the same way', { timeout: 60_000 }, () => {
  it.each(cases)('%s on %s: stops after what is under way, exit 130 with its stopping line', async (command, signal) => {
    const { folder, env } = await setup();
    if (commands[command].imported) expect((await runCli(['migrate', 'migration.yaml', '--rate', '500', '--quiet'], { cwd: folder, env })).code).toBe(0);
    const requests = sandbox!.stats().requests;
    const run = startCli(commands[command].args, { cwd: folder, env });
    // verify prints nothing before its summary: its first request is its first sign of life.
    await waitFor(() => run.stderrSoFar().includes('\n') || sandbox!.stats().requests > requests, `the first line or request of ${command}`);
    run.child.kill(signal);
    const end = await run.done;
    expect(end.signal, end.stderr).toBeNull(); // not killed by the signal
    expect(end.code, end.stderr).toBe(130);
    expect(end.stderr).toContain(`${signal}: stopping; `);
  });

  // In-process, so the signal comes at a known moment: as the run starts, before the command's code has loaded.
  it.each(cases)('%s on %s as it starts: ends before its first record, exit 130 with its stopping line', async (command, signal) => {
    const { folder, env } = await setup();
    if (commands[command].imported) expect((await runCli(['migrate', 'migration.yaml', '--rate', '500', '--quiet'], { cwd: folder, env })).code).toBe(0);
    const recordRequests = () => Object.values(sandbox!.stats().byResource).reduce((sum, counts) => sum + counts.requests, 0);
    const before = recordRequests();
    const emitter = new EventEmitter();
    const running = runCli([...commands[command].args, '--json'], { cwd: folder, env, signals: emitter });
    emitter.emit(signal, signal);
    const end = await running;
    expect(end.code, end.stderr).toBe(130);
    expect(end.stderr).toContain(`${signal}: stopping; the run ends before its first record`);
    expect(JSON.parse(end.stdout)).toMatchObject({ exitCode: 130 }); // the one object --json promises
    expect(recordRequests()).toBe(before); // at most a token was asked for
  });
});
