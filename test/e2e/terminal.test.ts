/**
 * On a real terminal (a pseudo-terminal through util-linux `script`): the live line hides the cursor and shows it
 * again however the run ends, fits the terminal's width, and colour follows the stream it is written to.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/server.js';
import { credentialEnv, credentials, waitFor, workspace } from '../support/cli.js';
import { writeAssessmentsCsv } from '../support/generate.js';
import { liveFrames, runInTerminal, startInTerminal } from '../support/terminal.js';

const hideCursor = '\x1b[?25l';
const showCursor = '\x1b[?25h';
const red = '\x1b[31m';
const columns = 50;

/** The cursor was hidden, and the last thing done to it was to show it again. */
function expectCursorRestored(output: string): void {
  expect(output).toContain(hideCursor);
  expect(output.lastIndexOf(showCursor)).toBeGreaterThan(output.lastIndexOf(hideCursor));
}

describe.runIf(process.platform === 'linux')('on a terminal', () => {
  it('spins a live line that fits the width, hides the cursor while it does and shows it again at the end', async () => {
    const folder = workspace('fixtures/assessments-with-errors.csv');
    const run = await runInTerminal(['assessments', 'assessments-with-errors.csv', '--sandbox', '--rate', '10'], { cwd: folder, columns });
    expect(run.code).toBe(1);
    expectCursorRestored(run.output);
    const frames = liveFrames(run.output).filter((frame) => frame.includes('/10'));
    expect(frames.length).toBeGreaterThan(0);
    for (const frame of frames) expect([...frame].length).toBeLessThan(columns); // one-column characters here
    expect(frames.some((frame) => frame.endsWith('…'))).toBe(true); // the full line is wider: it was cut
    expect(run.output).toContain(`${red}invalid 3`); // stderr is the terminal: colour
    expect(run.output).toMatch(/created 7 · skipped 0/);
  });

  it('shows the cursor again when Ctrl-C interrupts the run', async () => {
    const folder = workspace();
    writeAssessmentsCsv(join(folder, 'export.csv'), 200);
    const run = startInTerminal(['assessments', 'export.csv', '--sandbox', '--rate', '10'], { cwd: folder, columns: 100 });
    await waitFor(() => liveFrames(run.outputSoFar()).some((frame) => frame.includes('created')), 'the live line');
    run.type('\x03');
    const result = await run.done;
    run.close();
    expect(result.code).toBe(130);
    expect(result.output).toMatch(/SIGINT: stopping/);
    expect(result.output).toMatch(/interrupted/);
    expectCursorRestored(result.output);
  });

  it('shows the cursor again when a second Ctrl-C quits at once', async () => {
    // Answers take two seconds, so the first Ctrl-C has requests in flight to wait for when the second comes.
    const sandbox = await startSandbox({ ...credentials, latencyMs: 2000 });
    try {
      const folder = workspace();
      writeAssessmentsCsv(join(folder, 'export.csv'), 200);
      const run = startInTerminal(['assessments', 'export.csv', '--rate', '10'], { cwd: folder, columns: 100, env: credentialEnv(sandbox.url) });
      await waitFor(() => liveFrames(run.outputSoFar()).some((frame) => frame.includes('/200')), 'the live line');
      run.type('\x03');
      await waitFor(() => run.outputSoFar().includes('SIGINT: stopping'), 'the first Ctrl-C to be taken');
      run.type('\x03');
      const result = await run.done;
      run.close();
      expect(result.code).toBe(130);
      expect(result.output).toContain('SIGINT again: quitting now');
      expectCursorRestored(result.output);
    } finally {
      await sandbox.close();
    }
  });

  it('shows the cursor again on SIGTERM', async () => {
    const folder = workspace();
    writeAssessmentsCsv(join(folder, 'export.csv'), 200);
    const run = startInTerminal(['assessments', 'export.csv', '--sandbox', '--rate', '10'], { cwd: folder, columns: 100 });
    await waitFor(() => liveFrames(run.outputSoFar()).some((frame) => frame.includes('created')), 'the live line');
    process.kill(run.pid(), 'SIGTERM');
    const result = await run.done;
    run.close();
    expect(result.code).toBe(130);
    expect(result.output).toMatch(/SIGTERM: stopping/);
    expectCursorRestored(result.output);
  });

  it('writes no escape code at all into a log file that stderr is redirected to, though stdout is the terminal', async () => {
    const folder = workspace('fixtures/assessments-with-errors.csv');
    const run = await runInTerminal(['assessments', 'assessments-with-errors.csv', '--sandbox', '--rate', '50', '--json'], {
      cwd: folder,
      columns,
      stderrTo: 'import.log',
    });
    expect(run.code).toBe(1);
    const log = readFileSync(join(folder, 'import.log'), 'utf8');
    expect(log).toMatch(/^\S+Z start: assessments from assessments-with-errors.csv into http:\/\/127\.0\.0\.1:\d+ \(app cli_sandbox\)/m);
    expect(log).toContain('invalid 3');
    expect(log).not.toContain('\x1b');
    expect(run.output).toContain('"invalid": 3'); // the JSON summary, on the terminal
    expect(run.output).not.toContain(hideCursor);
  });

  it('NO_COLOR and --no-color take the colour away on a terminal too', async () => {
    const folder = workspace('fixtures/assessments-with-errors.csv');
    const args = ['assessments', 'assessments-with-errors.csv', '--sandbox', '--rate', '50'];
    const withoutColour = [
      await runInTerminal(args, { cwd: folder, columns, env: { NO_COLOR: '1' } }),
      await runInTerminal([...args, '--no-color'], { cwd: folder, columns }),
    ];
    for (const run of withoutColour) {
      expect(run.output).toContain('invalid 3');
      expect(run.output).not.toMatch(/\x1b\[3\dm/); // no colour; the cursor and the line are still drawn
    }
  });
});
