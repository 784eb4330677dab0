/**
 * The command line: parses arguments and options with commander and hands a plain options object to a command.
 * Nothing else happens here. Commands are imported when chosen, so --help and --version answer at once.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { systemClock } from './clock.js';
import { ExitCode } from './errors.js';
import { interruptSignal, reportImport, runCommand, type Output } from './main.js';
import { processColors } from './report/colors.js';
import { progressMode } from './report/progress.js';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

const output: Output = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  colors: processColors(), // again once --no-color is parsed
};

const exitCodes = `
Exit codes:
  0    every record created, or already done by an earlier run
  1    some records invalid or failed (see the result log and the rejects file)
  2    usage or configuration error (bad option, credentials, mapping, unreadable input); nothing more was sent
  130  interrupted (Ctrl-C / SIGTERM): requests in flight were finished and logged; run again to continue`;

function number(value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed)) throw new InvalidArgumentError('not a number');
  return parsed;
}

function wholeNumber(value: string): number {
  const parsed = number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError('not a whole number');
  return parsed;
}

const formatOption = () => new Option('--format <format>', 'input format (default: from the file extension)').choices(['csv', 'jsonl']);
const encodingOption = () => new Option('--encoding <name>', 'input encoding (default: detected: UTF-8, UTF-16 with BOM, GB18030/GBK)');
const delimiterOption = () => new Option('--delimiter <char>', 'CSV delimiter (default: detected: comma, tab or semicolon)');

let exitCode: number = ExitCode.ok;

const program = new Command('hire-import')
  .description('Import interview history from a legacy ATS export into Feishu (Lark) Hire.')
  .version(version)
  .exitOverride()
  .showHelpAfterError('(run with --help for usage)')
  .addHelpText('after', exitCodes)
  .option('--no-color', 'no colour in the output (as NO_COLOR=1 does; FORCE_COLOR=1 forces it)')
  .hook('preAction', () => {
    output.colors = processColors(program.opts().color);
  });

program
  .command('assessments')
  .description('create external interview assessments from a CSV or JSONL export (- reads stdin)')
  .argument('<file>', 'the export: .csv, .jsonl or .ndjson, or - for stdin')
  .addOption(formatOption())
  .addOption(encodingOption())
  .addOption(delimiterOption())
  .option('-m, --mapping <file>', 'mapping file (JSON or YAML) from your export to the API; default: the built-in CSV layout, JSONL as request bodies')
  .option('--log <file>', 'result log (default: next to the input, <name>.results.jsonl)')
  .option('--dry-run', 'read, map, validate and report; send nothing, write nothing', false)
  .option('--update-changed', 'update records created earlier whose content changed since (PATCH)', false)
  .option('--max-errors <n>', 'stop reading after this many invalid or failed records', wholeNumber)
  .option('--sandbox', 'import into a local emulator started for this run: a rehearsal with no credentials', false)
  .addOption(new Option('--base-url <url>', 'API base URL; Lark: https://open.larksuite.com').env('FEISHU_BASE_URL').default('https://open.feishu.cn'))
  .addOption(new Option('--app-id <id>', 'app id of a self-built app').env('FEISHU_APP_ID'))
  .addOption(new Option('--app-secret <secret>', 'app secret (prefer the environment variable: arguments show in ps)').env('FEISHU_APP_SECRET'))
  .option('--rate <n>', 'requests per second', number, 20)
  .option('--concurrency <n>', 'most requests in flight', wholeNumber, 50)
  .option('--retries <n>', 'retries per record for server errors, timeouts and resets', wholeNumber, 5)
  .option('--timeout <ms>', 'connect and response timeout per request', number, 30_000)
  .option('--json', 'print the summary as JSON on stdout', false)
  .option('--quiet', 'no progress output', false)
  .option('--progress-interval <s>', 'seconds between progress lines when stderr is not a terminal (at least 1)', number, 10)
  .addHelpText('after', exitCodes)
  .action(async (file: string, flags) => {
    const { assessments } = await import('./commands/assessments.js');
    exitCode = await runCommand(
      () =>
        assessments(
          {
            file,
            format: flags.format,
            encoding: flags.encoding,
            delimiter: flags.delimiter,
            mapping: flags.mapping,
            log: flags.log,
            dryRun: flags.dryRun,
            updateChanged: flags.updateChanged,
            maxErrors: flags.maxErrors,
            sandbox: flags.sandbox,
            baseUrl: flags.baseUrl,
            appId: flags.appId,
            appSecret: flags.appSecret,
            rate: flags.rate,
            concurrency: flags.concurrency,
            retries: flags.retries,
            timeoutMs: flags.timeout,
            progress: progressMode(flags.quiet, process.stderr, process.env),
            progressIntervalMs: flags.progressInterval * 1000,
          },
          {
            stderr: output.stderr,
            signal: interruptSignal(output, 'finishing and logging the requests in flight; a rerun sends the rest'),
            clock: systemClock,
            random: Math.random,
            stdin: process.stdin,
            terminal: { stream: process.stderr, colors: output.colors.stderr },
          },
        ),
      (summary) => reportImport(summary, flags.json, output),
      output,
    );
  });

program
  .command('sandbox')
  .description('serve a local emulator of the Feishu token and assessment endpoints, with fault injection')
  .option('--port <n>', 'port on 127.0.0.1 (0: any free port)', wholeNumber, 8787)
  .option('--rate-limit <n>', 'requests per sliding second before HTTP 429 (0: none)', wholeNumber, 20)
  .option('--latency <ms>', 'response latency', number, 0)
  .option('--jitter <ms>', 'latency jitter, plus or minus', number, 0)
  .option('--error-rate <share>', 'share of requests answered HTTP 500 / 1002001 (0..1)', number, 0)
  .option('--reset-rate <share>', 'share of connections reset without an answer (0..1)', number, 0)
  .option('--token-ttl <s>', 'lifetime of issued tokens in seconds', number, 7200)
  .option('--seed <n>', 'seed for the faults drawn, for reproducible runs', wholeNumber)
  .action(async (flags) => {
    const { sandbox } = await import('./commands/sandbox.js');
    exitCode = await runCommand(
      () =>
        sandbox(
          {
            port: flags.port,
            rateLimit: flags.rateLimit,
            latencyMs: flags.latency,
            jitterMs: flags.jitter,
            errorRate: flags.errorRate,
            resetRate: flags.resetRate,
            tokenTtlSeconds: flags.tokenTtl,
            seed: flags.seed,
          },
          { stderr: output.stderr, signal: interruptSignal(output, 'closing the sandbox') },
        ),
      () => ExitCode.ok,
      output,
    );
  });

program
  .command('status')
  .description('what a result log says: records by status, recent rate, ETA, failures by reason (also while an import writes it)')
  .argument('[log]', 'the result log (default: the one *.results.jsonl in this folder)')
  .option('-m, --mapping <file>', 'the mapping the import used, if any (a long file\'s rows are not its records)')
  .option('--json', 'print the status as JSON', false)
  .action(async (log: string | undefined, flags) => {
    const [{ status }, { formatStatus }] = await Promise.all([import('./commands/status.js'), import('./report/status.js')]);
    const now = () => new Date();
    exitCode = await runCommand(
      () => status({ log, mapping: flags.mapping }, { cwd: process.cwd(), now }),
      (summary) => {
        output.stdout(flags.json ? `${JSON.stringify(summary, null, 2)}\n` : formatStatus(summary, output.colors.stdout, now()));
        return ExitCode.ok;
      },
      output,
    );
  });

program
  .command('init')
  .description('write a starting mapping file from an export\'s header or first record')
  .argument('<file>', 'the export')
  .addOption(formatOption())
  .addOption(encodingOption())
  .addOption(delimiterOption())
  .option('-o, --output <file>', 'where to write the mapping (default: <file>.mapping.yaml)')
  .option('--force', 'overwrite an existing mapping file', false)
  .action(async (file: string, flags) => {
    const { init } = await import('./commands/init.js');
    exitCode = await runCommand(
      () => init({ file, format: flags.format, encoding: flags.encoding, delimiter: flags.delimiter, output: flags.output, force: flags.force }, output),
      () => ExitCode.ok,
      output,
    );
  });

program
  .command('preview')
  .description('print the request bodies the first records would become, or why they are invalid; sends nothing')
  .argument('<file>', 'the export')
  .addOption(formatOption())
  .addOption(encodingOption())
  .addOption(delimiterOption())
  .option('-m, --mapping <file>', 'mapping file')
  .option('-n <count>', 'how many records', wholeNumber, 5)
  .action(async (file: string, flags) => {
    const { preview } = await import('./commands/preview.js');
    exitCode = await runCommand(
      () => preview({ file, mapping: flags.mapping, n: flags.n, format: flags.format, encoding: flags.encoding, delimiter: flags.delimiter }, output),
      (shown) => (shown.invalid > 0 ? ExitCode.recordsFailed : ExitCode.ok),
      output,
    );
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // commander has already printed its message; help and version are not errors.
  if (!(error instanceof CommanderError)) throw error;
  exitCode = error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
}
process.exitCode = exitCode;
// Should a stray handle keep the loop alive, still leave once output has had a moment to flush.
setTimeout(() => process.exit(exitCode), 2000).unref();
