/**
 * The command line parsed in-process (no subprocess): each argument list and the options object the command gets,
 * or the usage error and exit code commander gives.
 */
import { readFileSync } from 'node:fs';
import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import type { ImportOptions } from '../../src/commands/import.js';
import { applications } from '../../src/endpoints/applications.js';
import { assessments } from '../../src/endpoints/assessments.js';
import { resourceNames } from '../../src/endpoints/registry.js';
import { ExitCode, exitCodeMeanings, undoExitCodeMeanings, verifyExitCodeMeanings, type ExitCodeMeanings } from '../../src/errors.js';
import { createProgram, jsonRequested, type CommandCall } from '../../src/program.js';

/** Parses `args` as `hire-import args...` would; returns the call made and what was printed. */
async function parse(args: string[], context: { stderrIsTTY?: boolean; env?: NodeJS.ProcessEnv } = {}) {
  const calls: CommandCall[] = [];
  let stdout = '';
  let stderr = '';
  const program = createProgram(
    async (call) => {
      calls.push(call);
    },
    {
      output: { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) },
      stderr: context.stderrIsTTY ? { isTTY: true, columns: 80 } : {},
      // The environment handed in, never the process's (the developer's shell may hold credentials).
      env: context.env ?? {},
    },
  );
  let error: CommanderError | undefined;
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (thrown) {
    if (!(thrown instanceof CommanderError)) throw thrown;
    error = thrown;
  }
  return { call: calls[0], calls, stdout, stderr, error };
}

/** What an import gets when only the file is given. */
const defaults = (resource: string, file: string): ImportOptions => ({
  resource,
  file,
  format: undefined,
  encoding: undefined,
  delimiter: undefined,
  mapping: undefined,
  log: undefined,
  dryRun: false,
  updateChanged: false,
  maxErrors: undefined,
  maxDurationMs: undefined,
  maxOutageMs: 15 * 60_000,
  sandbox: false,
  baseUrl: 'https://open.feishu.cn',
  appId: undefined,
  appSecret: undefined,
  rate: undefined,
  concurrency: 50,
  retries: 5,
  timeoutMs: 30_000,
  progress: 'lines',
  progressIntervalMs: 10_000,
});

describe('import commands', () => {
  it('has one per endpoint description, each with every option', async () => {
    expect(resourceNames).toEqual(['talents', 'applications', 'interviews', 'assessments', 'offers', 'background-checks']);
    for (const resource of resourceNames) {
      const { call } = await parse([resource, 'export.csv', '--dry-run', '--rate', '5']);
      expect(call).toEqual({ command: 'import', options: { ...defaults(resource, 'export.csv'), dryRun: true, rate: 5 } });
    }
  });

  const table: Array<{ args: string[]; env?: Record<string, string>; tty?: boolean; options: Partial<ImportOptions> }> = [
    { args: ['assessments', 'export.csv'], options: {} },
    { args: ['talents', 'candidates.csv', '-m', 'talents.yaml', '--log', 'talents.log.jsonl'], options: { mapping: 'talents.yaml', log: 'talents.log.jsonl' } },
    { args: ['applications', '-', '--format', 'jsonl', '--encoding', 'gbk', '--delimiter', ';'], options: { file: '-', format: 'jsonl', encoding: 'gbk', delimiter: ';' } },
    { args: ['offers', 'offers.csv', '--update-changed', '--max-errors', '10', '--sandbox'], options: { updateChanged: true, maxErrors: { count: 10 }, sandbox: true } },
    { args: ['offers', 'offers.csv', '--max-errors', '5%', '--max-duration', '6h', '--max-outage', '30s'], options: { maxErrors: { share: 0.05 }, maxDurationMs: 6 * 3_600_000, maxOutageMs: 30_000 } },
    { args: ['interviews', 'i.csv', '--max-duration', '1h30m', '--max-outage', '2h'], options: { maxDurationMs: 5_400_000, maxOutageMs: 7_200_000 } },
    {
      args: ['interviews', 'i.csv', '--rate', '2.5', '--concurrency', '8', '--retries', '0', '--timeout', '100'],
      options: { rate: 2.5, concurrency: 8, retries: 0, timeoutMs: 100 },
    },
    { args: ['background-checks', 'c.csv', '--json', '--quiet'], options: { progress: 'off' } },
    { args: ['assessments', 'a.csv', '--progress-interval', '0.5'], tty: true, options: { progress: 'live', progressIntervalMs: 500 } },
    {
      args: ['assessments', 'a.csv'],
      env: { FEISHU_APP_ID: 'cli_x', FEISHU_APP_SECRET: 's', FEISHU_BASE_URL: 'https://open.larksuite.com' },
      options: { appId: 'cli_x', appSecret: 's', baseUrl: 'https://open.larksuite.com' },
    },
    { args: ['assessments', 'a.csv', '--app-id', 'cli_y', '--base-url', 'http://127.0.0.1:1'], env: { FEISHU_APP_ID: 'cli_x' }, options: { appId: 'cli_y', baseUrl: 'http://127.0.0.1:1' } },
  ];

  it.each(table)('$args', async ({ args, env, tty, options }) => {
    const [resource, file] = args;
    const { call } = await parse(args, { stderrIsTTY: tty, env });
    expect(call).toEqual({ command: 'import', options: { ...defaults(resource!, file!), ...options } });
  });

  const refused: Array<{ args: string[]; message: RegExp }> = [
    { args: ['assessments', 'a.csv', '--rate', 'fast'], message: /option '--rate <n>' argument 'fast' is invalid. not a number/ },
    { args: ['assessments', 'a.csv', '--concurrency', '2.5'], message: /not a whole number/ },
    { args: ['talents', 'a.csv', '--format', 'xlsx'], message: /Allowed choices are csv, jsonl/ },
    { args: ['talents'], message: /missing required argument 'file'/ },
    { args: ['talent', 'a.csv'], message: /unknown command 'talent'/ },
    { args: ['offers', 'a.csv', '--dryrun'], message: /unknown option '--dryrun'/ },
    { args: ['offers', 'a.csv', '--max-errors', '0'], message: /'--max-errors <n\|share>' argument '0' is invalid. give a whole number of at least 1, or a share/ },
    { args: ['offers', 'a.csv', '--max-errors', '150%'], message: /argument '150%' is invalid/ },
    { args: ['offers', 'a.csv', '--max-duration', '6'], message: /'--max-duration <duration>' argument '6' is invalid. not a duration: give a number and a unit, such as 30s, 15m, 2h/ },
    { args: ['offers', 'a.csv', '--max-outage', '0s'], message: /argument '0s' is invalid. not a duration/ },
  ];

  it.each(refused)('refuses $args', async ({ args, message }) => {
    const { call, error, stderr } = await parse(args);
    expect(call).toBeUndefined();
    expect(error?.exitCode).toBe(1); // commander's usage error; src/cli.ts turns it into exit 2
    expect(stderr).toMatch(message);
    expect(stderr).toContain('(run with --help for usage)');
  });

  it('knows --json from the arguments alone, so a refused command line can answer in JSON too', () => {
    expect(jsonRequested(['assessments', 'a.csv', '--json'])).toBe(true);
    expect(jsonRequested(['assessments', '--bogus', '--json'])).toBe(true);
    expect(jsonRequested(['assessments', 'a.csv'])).toBe(false);
    expect(jsonRequested(['assessments', '--', '--json'])).toBe(false); // a file named --json
  });

  it("ends each command's help with examples of that command, after the exit codes", async () => {
    for (const resource of resourceNames) {
      const { stdout, error } = await parse([resource, '--help']);
      expect(error?.exitCode).toBe(0);
      expect(stdout).toMatch(/130\s+interrupted/);
      const examples = stdout.slice(stdout.indexOf('Examples:'));
      expect(examples.trim().split('\n').slice(1)).toEqual([
        expect.stringContaining(`$ hire-import ${resource} ${resource}.csv --dry-run`),
        expect.stringContaining(`$ hire-import ${resource} ${resource}.csv -m ${resource}.mapping.yaml`),
        expect.stringContaining(`$ hire-import ${resource} ${resource}.csv --sandbox`),
      ]);
    }
    for (const command of ['migrate', 'sandbox', 'init', 'preview']) {
      const { stdout } = await parse([command, '--help']);
      const examples = stdout.trimEnd().slice(stdout.lastIndexOf('\nExamples:\n') + 1).split('\n');
      expect(examples[0]).toBe('Examples:');
      expect(examples.length - 1).toBeGreaterThanOrEqual(2);
      for (const example of examples.slice(1)) expect(example).toMatch(new RegExp(`^  \\$ hire-import ${command} `));
    }
  });

  it('the help names each endpoint\'s own limits and update method', async () => {
    // Help text wraps at the terminal's width: compare it as one line.
    const help = async (resource: string) => (await parse([resource, '--help'])).stdout.replace(/\s+/g, ' ');
    expect(await help('talents')).toContain('find talents (email, then mobile) or create them');
    expect(await help('talents')).toContain('the documented limit, 50/s and 1000/min');
    expect(await help('talents')).toContain('--update-changed not for talents: the API cannot update them');
    expect(await help('interviews')).toContain('the documented limit, 10/s)');
    expect(await help('offers')).toContain('(PUT, which sends the whole record)');
    expect(await help('assessments')).toContain('changed since (PATCH)');
  });
});

describe('migrate', () => {
  const sending = (({ resource: _r, file: _f, format: _fo, encoding: _e, delimiter: _d, mapping: _m, log: _l, updateChanged: _u, maxErrors: _x, ...rest }) => rest)(
    defaults('talents', 'x'),
  );

  it('takes the plan and the same sending options as the imports, declared once', async () => {
    expect((await parse(['migrate', 'migration.yaml'])).call).toEqual({ command: 'migrate', options: { plan: 'migration.yaml', updateChanged: false, ...sending } });
    expect((await parse(['migrate', 'migration.yaml', '--update-changed'])).call).toMatchObject({ options: { updateChanged: true } });
    const { call } = await parse(['migrate', 'm.yaml', '--sandbox', '--dry-run', '--json', '--quiet', '--rate', '200', '--concurrency', '4', '--retries', '1', '--timeout', '50']);
    expect(call).toEqual({
      command: 'migrate',
      options: { ...sending, plan: 'm.yaml', updateChanged: false, sandbox: true, dryRun: true, progress: 'off', rate: 200, concurrency: 4, retries: 1, timeoutMs: 50 },
    });
    expect((await parse(['migrate', 'm.yaml', '--max-duration', '5h30m', '--max-outage', '1h'])).call).toMatchObject({ options: { maxDurationMs: 19_800_000, maxOutageMs: 3_600_000 } });
    expect((await parse(['migrate', 'm.yaml', '--base-url', 'http://127.0.0.1:1'], { env: { FEISHU_APP_ID: 'cli_x' } })).call).toMatchObject({ options: { appId: 'cli_x', baseUrl: 'http://127.0.0.1:1' } });
  });

  it('refuses what only a single import takes', async () => {
    for (const flag of ['--max-errors', '--log', '-m']) {
      const { call, stderr } = await parse(['migrate', 'm.yaml', flag, '1']);
      expect(call).toBeUndefined();
      expect(stderr).toMatch(/unknown option/);
    }
  });
});

/** What the sandbox command gets for the options a test leaves out. */
const sandboxDefaults = { latencyMs: 0, jitterMs: 0, resetRate: 0, tokenTtlSeconds: 7200, idempotency: true, parentChecks: 'whenHeld', reading: 'docs', visibilityDelayMs: 0, stateFile: undefined } as const;

/** What verify gets when only its target is given. */
const verifyDefaults = { file: undefined, mapping: undefined, log: undefined, format: undefined, encoding: undefined, delimiter: undefined, sheet: undefined, report: undefined, baseUrl: 'https://open.feishu.cn', appId: undefined, appSecret: undefined, rate: undefined, sandbox: false, concurrency: 50, retries: 5, timeoutMs: 30_000, maxDurationMs: undefined, maxOutageMs: 15 * 60_000 };

describe('other commands', () => {
  it.each<{ args: string[]; call: CommandCall }>([
    {
      args: ['sandbox'],
      call: { command: 'sandbox', options: { ...sandboxDefaults, port: 8787, rateLimit: undefined, errorRate: 0, seed: undefined } },
    },
    {
      args: ['sandbox', '--port', '0', '--error-rate', '0.1', '--seed', '7', '--rate-limit', '20'],
      call: { command: 'sandbox', options: { ...sandboxDefaults, port: 0, rateLimit: 20, errorRate: 0.1, seed: 7 } },
    },
    {
      args: ['sandbox', '--no-idempotency', '--parent-checks', 'always', '--reading', 'sdk', '--visibility-delay', '500', '--state', 's.jsonl'],
      call: {
        command: 'sandbox',
        options: { ...sandboxDefaults, port: 8787, rateLimit: undefined, errorRate: 0, seed: undefined, idempotency: false, parentChecks: 'always', reading: 'sdk', visibilityDelayMs: 500, stateFile: 's.jsonl' },
      },
    },
    {
      args: ['init', 'x.csv', '-o', 'm.yaml', '--force'],
      call: { command: 'init', options: { file: 'x.csv', format: undefined, encoding: undefined, delimiter: undefined, output: 'm.yaml', force: true, endpoint: undefined } },
    },
    {
      args: ['init', 'a.csv', '--resource', 'applications'],
      call: { command: 'init', options: { file: 'a.csv', format: undefined, encoding: undefined, delimiter: undefined, output: undefined, force: false, endpoint: applications } },
    },
    {
      args: ['undo', 'migration.yaml'],
      call: {
        command: 'undo',
        options: {
          target: 'migration.yaml', resource: undefined, yes: false, dryRun: false, sandbox: false, baseUrl: 'https://open.feishu.cn', appId: undefined, appSecret: undefined,
          concurrency: 50, retries: 5, timeoutMs: 30_000, maxDurationMs: undefined, maxOutageMs: 15 * 60_000, progress: 'lines', progressIntervalMs: 10_000,
        },
      },
    },
    {
      args: ['undo', 'i.results.jsonl', '--resource', 'interviews', '--yes', '--dry-run', '--app-id', 'cli_x', '--timeout', '100', '--json', '--quiet', '--max-duration', '5h30m', '--max-outage', '2m'],
      call: {
        command: 'undo',
        options: {
          target: 'i.results.jsonl', resource: 'interviews', yes: true, dryRun: true, sandbox: false, baseUrl: 'https://open.feishu.cn', appId: 'cli_x', appSecret: undefined,
          concurrency: 50, retries: 5, timeoutMs: 100, maxDurationMs: 19_800_000, maxOutageMs: 120_000, progress: 'off', progressIntervalMs: 10_000,
        },
      },
    },
    {
      args: ['preview', 'x.csv', '-m', 'm.yaml', '-n', '3'],
      call: { command: 'preview', options: { file: 'x.csv', mapping: 'm.yaml', n: 3, format: undefined, encoding: undefined, delimiter: undefined, endpoint: assessments } },
    },
    {
      args: ['verify', 'assessments', 'a.csv', '-m', 'm.yaml', '--log', 'a.log', '--report', 'r.csv', '--json'],
      call: { command: 'verify', options: { ...verifyDefaults, target: 'assessments', file: 'a.csv', mapping: 'm.yaml', log: 'a.log', report: 'r.csv' } },
    },
    {
      args: ['verify', 'migration.yaml', '--rate', '5', '--max-duration', '6h', '--max-outage', '30s'],
      call: { command: 'verify', options: { ...verifyDefaults, target: 'migration.yaml', rate: 5, maxDurationMs: 21_600_000, maxOutageMs: 30_000 } },
    },
  ])('$args', async ({ args, call }) => {
    expect((await parse(args)).call).toEqual(call);
  });
});


describe('documentation: one list of exit codes, in --help and the README alike', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const codesOf = (meanings: ExitCodeMeanings) =>
    Object.entries(meanings).map(([name, meaning]) => ({ code: ExitCode[name as keyof typeof ExitCode], meaning }));
  const codes = codesOf(exitCodeMeanings);
  /** Help text wraps at its width: compare it as one line. */
  const oneLine = (text: string) => text.replace(/\s+/g, ' ');
  /** The README's table after `marker`, as rows. */
  const tableAfter = (marker: string) => {
    expect(readme).toContain(marker);
    const table = readme.slice(readme.indexOf('| code | meaning |', readme.indexOf(marker)));
    expect(table.startsWith('| code | meaning |\n| --- | --- |\n')).toBe(true);
    return table.slice(0, table.indexOf('\n\n')).split('\n').slice(2);
  };
  /** Each code's meaning is in the help, in the list's order. */
  const expectListed = (help: string, listed: ReturnType<typeof codesOf>) => {
    const at = listed.map(({ code, meaning }) => oneLine(help).indexOf(` ${code} ${meaning.replace(/`/g, '')}`));
    expect(at.every((index) => index > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  };

  it("the README's table of exit codes is the list, row for row", () => {
    expect(tableAfter('### Exit codes')).toEqual(codes.map(({ code, meaning }) => `| ${code} | ${meaning} |`));
  });

  it('every import command, migrate and the program itself print the list in --help, in its order', async () => {
    for (const args of [['--help'], ['migrate', '--help'], ...resourceNames.map((resource) => [resource, '--help'])]) {
      expectListed((await parse(args)).stdout, codes);
    }
  });

  it.each([
    { command: 'undo', meanings: undoExitCodeMeanings },
    { command: 'verify', meanings: verifyExitCodeMeanings },
  ])("$command's exit codes come from one list too, in its --help and its README table", async ({ command, meanings }) => {
    const listed = codesOf(meanings);
    expect(tableAfter(`Exit codes of \`${command}\`:`)).toEqual(listed.map(({ code, meaning }) => `| ${code} | ${meaning} |`));
    const help = (await parse([command, '--help'])).stdout;
    expectListed(help, listed);
    expect(help.match(/^Exit codes:$/gm)).toHaveLength(1); // its own list, not the import's as well
  });

  it('--help and the README both document status, --max-duration and --max-outage', async () => {
    expect(oneLine((await parse(['--help'])).stdout)).toContain(' status [options] [log-or-plan] what a result log or every log of a plan says');
    for (const args of [['assessments', '--help'], ['migrate', '--help'], ['undo', '--help'], ['verify', '--help']]) {
      const help = oneLine((await parse(args)).stdout);
      expect(help).toContain('--max-duration <duration> stop reading after this long (30s, 15m, 6h), finish what is in flight, exit 3');
      expect(help).toContain('--max-outage <duration> when Feishu cannot be reached, pause and probe for this long before stopping with exit 69 (default: 15m)');
    }
    expect(readme).toContain('## Watching a run: `status`\n\n`hire-import status [LOG | PLAN]`');
    expect(readme).toContain('| `--max-duration D` | stop reading after D');
    expect(readme).toContain('| `--max-outage D` | when Feishu cannot be reached, pause and probe for this long before stopping with exit 69 (default `15m`) |');
  });
});
