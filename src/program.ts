/**
 * The command line as data: every command and option declared once, parsed by commander into a plain options object
 * that is handed to `run`. Nothing runs here, so tests parse argument lists in-process; src/cli.ts wires the program
 * to the process and to the commands. One import command per endpoint description in the registry.
 */
import { Command, Help, InvalidArgumentError, Option } from 'commander';
import type { ImportOptions, SendOptions } from './commands/import.js';
import type { InitOptions } from './commands/init.js';
import type { MigrateOptions } from './commands/migrate.js';
import type { PreviewOptions } from './commands/preview.js';
import type { ProbeOptions } from './commands/probe.js';
import type { SandboxCommandOptions } from './commands/sandbox.js';
import type { StatusOptions } from './commands/status.js';
import type { UndoOptions } from './commands/undo.js';
import type { VerifyOptions } from './commands/verify.js';
import { parseDuration } from './duration.js';
import { endpointFor, endpoints, resourceNames } from './endpoints/registry.js';
import { parseMaxErrors, type MaxErrors } from './import/errorBudget.js';
import { defaultMaxOutageMs } from './send/outage.js';
import type { EndpointDescription, Limit } from './endpoints/types.js';
import { ExitCode, exitCodeMeanings, undoExitCodeMeanings, verifyExitCodeMeanings, type ExitCodeMeanings } from './errors.js';
import type { Output } from './outcome.js';
import { progressMode } from './report/progress.js';
import { suggestion } from './validate/suggest.js';
import { version } from './version.js';

/** A parsed command line: which command, with what. */
export type CommandCall =
  /** Whether a command wants JSON is read from the arguments themselves: `jsonRequested`. */
  | { command: 'import'; options: ImportOptions }
  | { command: 'migrate'; options: MigrateOptions }
  | { command: 'verify'; options: VerifyOptions }
  | { command: 'sandbox'; options: SandboxCommandOptions }
  | { command: 'init'; options: InitOptions }
  | { command: 'preview'; options: PreviewOptions }
  | { command: 'status'; options: StatusOptions }
  | { command: 'undo'; options: UndoOptions }
  | { command: 'probe'; options: ProbeOptions };

export interface ProgramContext {
  /** Where help, usage errors and --version go. */
  output: Pick<Output, 'stdout' | 'stderr'>;
  /** Progress is a live line on a terminal of a known width, plain lines elsewhere (see progressMode). */
  stderr: { isTTY?: boolean; columns?: number };
  /** Help is wrapped to a terminal's width. */
  stdout?: { isTTY?: boolean; columns?: number };
  /** Read for the options that name a variable (FEISHU_APP_ID...), and for progress and colour. */
  env: NodeJS.ProcessEnv;
}

/**
 * A command whose options named after an environment variable (`Option.env`) read the environment handed in,
 * not the process's: commander reads `process.env` in `_parseOptionsEnv`, which this replaces for each command.
 */
function readEnvironment(command: Command, env: NodeJS.ProcessEnv): Command {
  const withEnv = command as Command & { _parseOptionsEnv(): void; emit(event: string, value?: string): boolean };
  withEnv._parseOptionsEnv = () => {
    for (const option of command.options) {
      const value = option.envVar === undefined ? undefined : env[option.envVar];
      if (value === undefined) continue;
      const key = option.attributeName();
      // As commander does: the command line wins over the environment, the environment over a default.
      const source = command.getOptionValueSource(key);
      if (command.getOptionValue(key) !== undefined && !['default', 'config', 'env'].includes(source ?? '')) continue;
      if (option.required || option.optional) withEnv.emit(`optionEnv:${option.name()}`, value);
      else withEnv.emit(`optionEnv:${option.name()}`);
    }
  };
  return command;
}


/** A command's exit codes, from its one list of their meanings, wrapped under their code as commander wraps options. */
function exitCodeHelp(meanings: ExitCodeMeanings): string {
  const help = new Help();
  help.helpWidth = 114;
  const items = Object.entries(meanings).map(([name, meaning]) =>
    help.formatItem(String(ExitCode[name as keyof typeof ExitCode]), 3, meaning.replace(/`/g, ''), help),
  );
  return `\nExit codes:\n${items.join('\n')}`;
}

/** The exit codes of an import and of `migrate`. */
const exitCodes = `${exitCodeHelp(exitCodeMeanings)}
With --json, stdout carries exactly one JSON object however the run ends, with "ok", "exitCode" and, when it
failed as a whole, "error": { "kind", "message" }.`;

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

function duration(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined) throw new InvalidArgumentError('not a duration: give a number and a unit, such as 30s, 15m, 2h or 1h30m');
  return ms;
}

function maxErrors(value: string): MaxErrors {
  const limit = parseMaxErrors(value);
  if (!limit) throw new InvalidArgumentError('give a whole number of at least 1, or a share of the records read such as 5%');
  return limit;
}

/** `Examples:` lines for the end of a command's help: [command line, what it does]. */
function examples(lines: Array<[string, string]>): string {
  const width = Math.max(...lines.map(([command]) => command.length));
  return `\nExamples:\n${lines.map(([command, what]) => `  $ ${command.padEnd(width)}  # ${what}`).join('\n')}`;
}

/** The resource `init` and `preview` draft and check for; `init` guesses it when it is not given. */
function resourceOption(guessed = false): Option {
  const option = new Option('--resource <name>', `the resource the records become${guessed ? ' (default: guessed from the columns, or asked)' : ''}`).choices(resourceNames);
  return guessed ? option : option.default('assessments');
}

/** How to read the input; every command that reads an export takes these. */
function addInputOptions(command: Command): Command {
  return command
    .addOption(new Option('--format <format>', 'input format (default: from the file extension)').choices(['csv', 'jsonl']))
    .addOption(new Option('--encoding <name>', 'input encoding (default: detected: UTF-8, UTF-16 with BOM, GB18030/GBK)'))
    .addOption(new Option('--delimiter <char>', 'CSV delimiter, one character or tab (default: detected: comma, tab or semicolon)'))
    .addOption(new Option('--sheet <name>', '.xlsx: the worksheet to read, by its tab name (default: the first visible one)'));
}

function limitText(limit: Limit): string {
  return `${limit.perSecond}/s${limit.perMinute ? ` and ${limit.perMinute}/min` : ''}`;
}

function updateHelp(endpoint: EndpointDescription): string {
  if (!endpoint.update) return `not for ${endpoint.title}s: the API cannot update them`;
  const how = endpoint.update.method === 'PUT' ? 'PUT, which sends the whole record' : 'PATCH';
  return `update records created earlier whose content changed since (${how})`;
}

/** Where requests go and how they are sent; every command that talks to Feishu (import, undo) takes these. */
function addConnectionOptions(command: Command): Command {
  return command
    .addOption(new Option('--base-url <url>', 'API base URL; Lark: https://open.larksuite.com').env('FEISHU_BASE_URL').default('https://open.feishu.cn'))
    .addOption(new Option('--app-id <id>', 'app id of a self-built app').env('FEISHU_APP_ID'))
    .addOption(new Option('--app-secret <secret>', 'app secret (prefer the environment variable: arguments show in ps)').env('FEISHU_APP_SECRET'))
    .option('--concurrency <n>', 'most records in flight', wholeNumber, 50)
    .option('--retries <n>', 'retries per record for server errors, timeouts and resets', wholeNumber, 5)
    .option('--timeout <ms>', 'connect and response timeout per request', number, 30_000);
}

/** How a command that sends reports: the summary as JSON, progress. */
function addReportOptions(command: Command): Command {
  return command
    .option('--json', 'print exactly one JSON object on stdout however the run ends: the summary, or the error', false)
    .option('--quiet', 'no progress output', false)
    .option('--progress-interval <s>', 'seconds between progress lines when stderr is not a terminal (at least 1)', number, 10);
}

/** The options of an import, declared once for every endpoint; the help speaks of the endpoint's own limits. */
function addImportOptions(command: Command, endpoint: EndpointDescription): Command {
  addInputOptions(command)
    .option('-m, --mapping <file>', 'mapping file (JSON or YAML) from your export to the API; default: the built-in CSV layout, JSONL as request bodies')
    .option('--log <file>', `result log (default: ${defaultLogHelp})`)
    .option('--update-changed', updateHelp(endpoint), false)
    .option(
      '--max-errors <n|share>',
      'stop reading after this many invalid or failed records, or this share of the records read (5%); records an earlier run already logged as invalid or failed do not count',
      maxErrors,
    );
  return addSendOptions(command, `the documented limit, ${limitText(endpoint.create.limit)}`);
}

/** How to send, declared once for the import commands and `migrate`: the connection and report options, and more. */
function addSendOptions(command: Command, rateDefault: string): Command {
  command
    .option('--dry-run', 'read, map, validate and report; send nothing, write nothing', false)
    .option('--sandbox', 'import into a local emulator started for this run: a rehearsal with no credentials, its log and records in hire-import-state/sandbox/', false)
    .option('--rate <n>', `requests per second on each API called (default: ${rateDefault})`, number);
  return addReportOptions(addRunLimitOptions(addConnectionOptions(command)));
}

/** How long a run may go on, and wait out an outage: every command that sends (import, migrate, undo, verify) takes these. */
function addRunLimitOptions(command: Command): Command {
  return command
    .option('--max-duration <duration>', 'stop reading after this long (30s, 15m, 6h), finish what is in flight, exit 3; a rerun continues', duration)
    .addOption(
      new Option('--max-outage <duration>', 'when Feishu cannot be reached, pause and probe for this long before stopping with exit 69')
        .argParser(duration)
        .default(defaultMaxOutageMs, '15m'),
    );
}

/** --sandbox of verify and undo: a rehearsal's logs, and the sandbox that kept its records beside them. */
function rehearsalHelp(what: string): string {
  return `a rehearsal (--sandbox imports and migrate): its logs in hire-import-state/sandbox/, ${what} the sandbox that keeps its records there`;
}

/** Where a resource's result log is kept when --log is not given (src/log/target.ts defaultLogPath). */
const defaultLogHelp = 'the state of the target and resource, here: hire-import-state/<host>-<app id>/<resource>.results.jsonl';

type Flags = Record<string, unknown>;

/** The parsed connection flags, as the commands take them. */
function connectionOptions(flags: Flags) {
  return {
    baseUrl: flags.baseUrl as string,
    appId: flags.appId as string | undefined,
    appSecret: flags.appSecret as string | undefined,
    concurrency: flags.concurrency as number,
    retries: flags.retries as number,
    timeoutMs: flags.timeout as number,
  };
}

/** The parsed run limits, as the commands take them. */
function runLimitOptions(flags: Flags) {
  return {
    maxDurationMs: flags.maxDuration as number | undefined,
    maxOutageMs: flags.maxOutage as number,
  };
}

/** The parsed report flags, as the commands take them. */
function reportOptions(flags: Flags, context: ProgramContext) {
  return {
    progress: progressMode(flags.quiet as boolean, context.stderr, context.env),
    progressIntervalMs: (flags.progressInterval as number) * 1000,
  };
}

/** The parsed sending flags, as the import commands and `migrate` take them. */
function sendOptions(flags: Flags, context: ProgramContext): SendOptions {
  return {
    dryRun: flags.dryRun as boolean,
    sandbox: flags.sandbox as boolean,
    rate: flags.rate as number | undefined,
    ...runLimitOptions(flags),
    ...connectionOptions(flags),
    ...reportOptions(flags, context),
  };
}

const undoHelp = `
Deletes what the result logs say this tool created (never records it matched: they existed before), children
before parents, each resource at its delete API's limit; each deletion is written to the log, so an undo that is
stopped resumes, and a later import creates those records again. Assessments have no delete in the API: they go
with their interview. Talents have no delete in the API: they stay. For rehearsal tenants.`;

/** The parsed flags of an import, as the command takes them. */
function importOptions(resource: string, file: string, flags: Flags, context: ProgramContext): ImportOptions {
  const flag = <Type>(name: string) => flags[name] as Type;
  return {
    resource,
    file,
    format: flag('format'),
    encoding: flag('encoding'),
    delimiter: flag('delimiter'),
    sheet: flag('sheet'),
    mapping: flag('mapping'),
    log: flag('log'),
    updateChanged: flag('updateChanged'),
    maxErrors: flag('maxErrors'),
    ...sendOptions(flags, context),
  };
}

function importDescription(endpoint: EndpointDescription): string {
  const what = endpoint.match
    ? `find ${endpoint.title}s (${endpoint.match.keys.map((key) => key.field.split('.').pop()).join(', then ')}) or create them`
    : `create ${endpoint.title}s`;
  return `${what} from a CSV, JSONL or .xlsx export (- reads stdin)`;
}

function importExamples(resource: string): string {
  const file = `${resource}.csv`;
  return examples([
    [`hire-import ${resource} ${file} --dry-run`, 'read, map and check every record; send nothing'],
    [`hire-import ${resource} ${file} -m ${resource}.mapping.yaml`, 'import, with a mapping from your export'],
    [`hire-import ${resource} ${file} --sandbox`, 'rehearse against a local emulator, no credentials'],
  ]);
}

/**
 * `--help --json`: the command named on the line (or the whole program) as data: its arguments, options (with their
 * defaults, choices and environment variables), exit codes and, for the program, every command. Undefined when the
 * line asks for no help.
 */
export function helpJson(program: Program, args: string[]): Record<string, unknown> | undefined {
  const end = args.indexOf('--');
  const words = end === -1 ? args : args.slice(0, end);
  if (!words.includes('--help') && !words.includes('-h')) return undefined;
  // The command is the first word that is no option: the program's own options take no value.
  const first = words.find((word) => !word.startsWith('-'));
  const named = program.commands.find((command) => command.name() === first);
  if (named) return commandJson(named, program.exitCodes);
  return { ...commandJson(program, program.exitCodes), version: program.version(), commands: program.commands.map((command) => commandJson(command, program.exitCodes)) };
}

function commandJson(command: Command, exitCodes: Program['exitCodes']): Record<string, unknown> {
  const meanings = exitCodes.get(command.name());
  return {
    name: command.name(),
    description: command.description(),
    usage: command.usage(),
    arguments: command.registeredArguments.map((argument) => ({ name: argument.name(), description: argument.description, required: argument.required })),
    options: command.options.map((option) => ({
      flags: option.flags,
      description: option.description,
      ...(option.defaultValue !== undefined ? { default: option.defaultValue } : {}),
      ...(option.argChoices ? { choices: option.argChoices } : {}),
      ...(option.envVar ? { env: option.envVar } : {}),
    })),
    ...(meanings
      ? { exitCodes: Object.entries(meanings).map(([name, meaning]) => ({ code: ExitCode[name as keyof typeof ExitCode], name, meaning: meaning.replace(/`/g, '') })) }
      : {}),
  };
}

/**
 * Whether the command line asks for --json, read before commander parses it, so a refused command line can still
 * answer in JSON. Words after `--` are arguments, not options.
 */
export function jsonRequested(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).includes('--json');
}

/** The program, with each command's exit codes (by command name) for `--help --json`. */
export type Program = Command & { exitCodes: ReadonlyMap<string, ExitCodeMeanings> };

/** The whole command line. `run` gets each parsed command; commander's usage errors throw (exitOverride). */
export function createProgram(run: (call: CommandCall) => Promise<void>, context: ProgramContext): Program {
  const { output } = context;
  const exitCodeLists = new Map<string, ExitCodeMeanings>();
  /** A command's exit codes, as help text (`text`, by default the list) and as data. */
  const withExitCodes = (name: string, meanings: ExitCodeMeanings, text = exitCodeHelp(meanings)) => {
    exitCodeLists.set(name, meanings);
    return text;
  };
  const program = new Command('hire-import')
    .description('Import recruiting history from a legacy ATS export into Feishu (Lark) Hire.')
    .version(version)
    .exitOverride()
    .configureOutput({
      writeOut: output.stdout,
      writeErr: output.stderr,
      getOutHelpWidth: () => (context.stdout?.isTTY ? context.stdout.columns : undefined) ?? 80,
      getErrHelpWidth: () => (context.stderr.isTTY ? context.stderr.columns : undefined) ?? 80,
      getOutHasColors: () => false,
      getErrHasColors: () => false,
    })
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', withExitCodes('hire-import', exitCodeMeanings, exitCodes))
    .option('--no-color', 'no colour in the output (as NO_COLOR=1 does; FORCE_COLOR=1 forces it)');

  for (const endpoint of endpoints) {
    const command = program.command(endpoint.resource).description(importDescription(endpoint)).argument('<file>', 'the export: .csv, .jsonl, .ndjson or .xlsx, or - for stdin');
    addImportOptions(command, endpoint)
      .addHelpText('after', withExitCodes(endpoint.resource, exitCodeMeanings, exitCodes))
      .addHelpText('after', importExamples(endpoint.resource))
      .action(async (file: string, flags: Record<string, unknown>) => {
        await run({ command: 'import', options: importOptions(endpoint.resource, file, flags, context) });
      });
  }

  addSendOptions(
    program
      .command('migrate')
      .description('run a whole migration from one plan file: every step at once, each record sent as soon as its parent has its Feishu id')
      .argument('<plan>', 'the plan: steps of { resource, input, mapping }, paths relative to it'),
    "each endpoint's documented limit",
  )
    .option('--update-changed', 'update records created earlier whose content changed since, in every step whose resource the API can update', false)
    .addHelpText('after', withExitCodes('migrate', exitCodeMeanings, exitCodes))
    .addHelpText(
      'after',
      examples([
        ['hire-import migrate migration.yaml --dry-run', 'read, map and check every step; send nothing'],
        ['hire-import migrate migration.yaml --sandbox', 'rehearse the whole chain against one local emulator'],
        ['hire-import migrate migration.yaml --json', 'migrate; one JSON object with a summary per step'],
      ]),
    )
    .action(async (plan: string, flags: Record<string, unknown>) => {
      await run({ command: 'migrate', options: { plan, updateChanged: flags.updateChanged as boolean, ...sendOptions(flags, context) } });
    });

  program
    .command('sandbox')
    .description('serve a local emulator of the Feishu token endpoint and every Hire endpoint hire-import uses, with fault injection')
    .option('--port <n>', 'port on 127.0.0.1 (0: any free port)', wholeNumber, 8787)
    .option('--rate-limit <n>', "requests per sliding second per endpoint and operation before HTTP 429 (0: none; default: each endpoint's own limits)", wholeNumber)
    .option('--latency <ms>', 'response latency', number, 0)
    .option('--jitter <ms>', 'latency jitter, plus or minus', number, 0)
    .option('--error-rate <share>', 'share of requests answered HTTP 500 / 1002001 (0..1)', number, 0)
    .option('--reset-rate <share>', 'share of connections reset without an answer (0..1)', number, 0)
    .option('--token-ttl <s>', 'lifetime of issued tokens in seconds', number, 7200)
    .option('--seed <n>', 'seed for the faults drawn, for reproducible runs', wholeNumber)
    .option('--no-idempotency', 'forget external_ids: a repeated create makes a new record, as after 24 hours on Feishu')
    .addOption(
      new Option('--parent-checks <mode>', "when a create's parent id must be stored: always, whenHeld (once records of the parent resource are), never")
        .choices(['always', 'whenHeld', 'never'])
        .default('whenHeld'),
    )
    .addOption(
      new Option('--reading <source>', "where the docs pages and the SDK's types disagree, answer as: docs (no external_id read back, attachment_list, an interview PUT replacing its assessments) or sdk")
        .choices(['docs', 'sdk'])
        .default('docs'),
    )
    .option('--visibility-delay <ms>', "a just-created parent stays invisible to its children's creates this long", number, 0)
    .option('--state <file>', 'keep the records in this JSONL file, loaded at start and appended to, so they outlive the sandbox')
    .addHelpText(
      'after',
      examples([
        ['hire-import sandbox', 'serve on 127.0.0.1:8787 at the real limits'],
        ['hire-import sandbox --latency 150 --error-rate 0.05 --seed 7', 'a slow, faulty server, the same faults every run'],
        ['hire-import sandbox --no-idempotency --state rehearsal.jsonl', 'a server without the 24 h memory, kept between runs'],
        ['hire-import sandbox --reading sdk', "answers as the SDK's types have them (external_id read back)"],
      ]),
    )
    .action(async (flags: Record<string, unknown>) => {
      await run({
        command: 'sandbox',
        options: {
          port: flags.port as number,
          rateLimit: flags.rateLimit as number | undefined,
          latencyMs: flags.latency as number,
          jitterMs: flags.jitter as number,
          errorRate: flags.errorRate as number,
          resetRate: flags.resetRate as number,
          tokenTtlSeconds: flags.tokenTtl as number,
          seed: flags.seed as number | undefined,
          idempotency: flags.idempotency as boolean,
          parentChecks: flags.parentChecks as 'always' | 'whenHeld' | 'never',
          reading: flags.reading as 'docs' | 'sdk',
          visibilityDelayMs: flags.visibilityDelay as number,
          stateFile: flags.state as string | undefined,
        },
      });
    });

  addRunLimitOptions(
    addConnectionOptions(
      addInputOptions(
        program
          .command('verify')
          .description("check that what the result logs say was created is on Feishu with the export's content: ok, missing, differs, not imported")
          .argument('<target>', `a resource (${resourceNames.join(', ')}) with its export, or a plan file (migration.yaml)`)
          .argument('[file]', "the resource's export"),
      )
        .option('-m, --mapping <file>', 'the mapping the import used')
        .option('--log <file>', `the result log the import wrote (default: where the import keeps it, ${defaultLogHelp})`)
        .option('--rate <n>', "read requests per second on each read-back API (default: each one's documented limit)", number)
        .option('--sandbox', rehearsalHelp('read back from'), false),
    ),
  )
    .option('--report <file>', 'the CSV of every record that is not ok (default: beside the export or the plan, <name>.verify.csv)')
    .option('--json', 'print the summary as JSON on stdout', false)
    .addHelpText('after', withExitCodes('verify', verifyExitCodeMeanings))
    .addHelpText(
      'after',
      examples([
        ['hire-import verify assessments assessments.csv -m assessments.yaml', 'one export, against the log beside it'],
        ['hire-import verify migration.yaml --json', 'every step of a plan; the summary as JSON on stdout'],
      ]),
    )
    .action(async (target: string, file: string | undefined, flags: Flags) => {
      const flag = <Type>(name: string) => flags[name] as Type;
      const options: VerifyOptions = {
        target,
        file,
        mapping: flag('mapping'),
        log: flag('log'),
        format: flag('format'),
        encoding: flag('encoding'),
        delimiter: flag('delimiter'),
        sheet: flag('sheet'),
        report: flag('report'),
        rate: flag('rate'),
        sandbox: flag('sandbox'),
        ...runLimitOptions(flags),
        ...connectionOptions(flags),
      };
      await run({ command: 'verify', options });
    });

  addReportOptions(
    addRunLimitOptions(
      addConnectionOptions(
        program
          .command('undo')
          .description('delete what a plan (every step) or one result log says this tool created: for rehearsal tenants')
          .argument('<plan-or-log>', "a plan file (.yaml: every step's result log) or one result log")
          .addOption(new Option('--resource <name>', 'the resource of a single result log (default: the one its lines name)').choices(resourceNames))
          .option('--yes', 'delete without asking (otherwise a terminal is asked to type the app id)', false)
          .option('--dry-run', 'count what would be deleted and how long it takes; delete nothing', false)
          .option('--sandbox', rehearsalHelp('delete from'), false),
      ),
    ),
  )
    .addHelpText('after', undoHelp)
    .addHelpText('after', withExitCodes('undo', undoExitCodeMeanings))
    .addHelpText(
      'after',
      examples([
        ['hire-import undo migration.yaml --dry-run', 'what the plan created, and how long deleting it takes'],
        ['hire-import undo migration.yaml', 'delete it, after typing the app id to confirm'],
        ['hire-import undo interviews.results.jsonl --yes', 'delete the interviews one log names, without asking'],
      ]),
    )
    .action(async (target: string, flags: Flags) => {
      const options: UndoOptions = {
        target,
        resource: flags.resource as string | undefined,
        yes: flags.yes as boolean,
        dryRun: flags.dryRun as boolean,
        sandbox: flags.sandbox as boolean,
        ...runLimitOptions(flags),
        ...connectionOptions(flags),
        ...reportOptions(flags, context),
      };
      await run({ command: 'undo', options });
    });

  addConnectionOptions(
    program
      .command('probe')
      .description("settle on a rehearsal tenant what the docs leave open (external_id read back, an interview PUT's effect on its assessments...): creates one throwaway talent and its chain, deletes what it can")
      .option('--yes', 'create and delete on a tenant that is not the sandbox: only ever a rehearsal tenant', false)
      .option('--sandbox', 'probe a local emulator started for this run (it answers as the docs say)', false)
      .option('--json', 'print the findings as JSON on stdout', false),
  )
    .addHelpText(
      'after',
      examples([
        ['hire-import probe --sandbox', 'what the sandbox answers'],
        ['hire-import probe --yes', 'probe the tenant FEISHU_APP_ID, FEISHU_APP_SECRET and FEISHU_BASE_URL name'],
      ]),
    )
    .action(async (flags: Flags) => {
      await run({ command: 'probe', options: { yes: flags.yes as boolean, sandbox: flags.sandbox as boolean, ...connectionOptions(flags) } });
    });

  program
    .command('status')
    .description('what a result log or every log of a plan says: records by status, recent rate, ETA, failures by reason (also while an import writes them)')
    .argument('[log-or-plan]', "a result log, or a plan file (.yaml: every step's log) (default: the one *.results.jsonl in this folder or in hire-import-state/*/)")
    .option('-m, --mapping <file>', "the mapping the import used, if any (a long file's rows are not its records)")
    .option('--sandbox', "a plan's rehearsal logs (migrate --sandbox) rather than its real ones", false)
    .option('--json', 'print the status as JSON', false)
    .addHelpText(
      'after',
      examples([
        ['hire-import status', 'the one result log in this folder'],
        ['hire-import status hire-import-state/sandbox/assessments.results.jsonl --json', 'one log, as JSON (also while an import writes it)'],
        ['hire-import status migration.yaml', 'every step of a plan'],
      ]),
    )
    .action(async (target: string | undefined, flags: { mapping?: string; sandbox: boolean; json: boolean }) => {
      await run({ command: 'status', options: { target, mapping: flags.mapping, sandbox: flags.sandbox } });
    });

  addInputOptions(program.command('init').description("write a starting mapping file from an export's header or first record").argument('<file>', 'the export'))
    .addOption(resourceOption(true))
    .option('-o, --output <file>', 'where to write the mapping (default: <file>.mapping.yaml)')
    .option('--force', 'overwrite an existing mapping file', false)
    .addHelpText(
      'after',
      examples([
        ['hire-import init export.csv', 'draft export.mapping.yaml from the header, for the resource its columns name'],
        ['hire-import init export.jsonl -o mapping.yaml --force', 'draft from the first records, overwriting mapping.yaml'],
        ['hire-import init applications.csv --resource applications', 'draft a mapping for external applications'],
      ]),
    )
    .action(async (file: string, flags: Omit<InitOptions, 'file' | 'endpoint'> & { resource?: string }) => {
      const { format, encoding, delimiter, sheet, output: mappingOutput, force, resource } = flags;
      const endpoint = resource === undefined ? undefined : endpointFor(resource)!;
      await run({ command: 'init', options: { file, format, encoding, delimiter, sheet, output: mappingOutput, force, endpoint } });
    });

  addInputOptions(
    program
      .command('preview')
      .description('print the request bodies the first records would become, or why they are invalid; sends nothing')
      .argument('<file>', 'the export, or a plan (migration.yaml) with --step'),
  )
    .addOption(resourceOption())
    .option('-m, --mapping <file>', 'mapping file')
    .option('-n <count>', 'how many records', wholeNumber, 5)
    .option('--step <name>', "a plan's step to preview: its { step } lookups read the parent steps' logs, or a dry run of their inputs")
    .option('--sandbox', "with --step: the parents' rehearsal logs (migrate --sandbox)")
    .addHelpText(
      'after',
      examples([
        ['hire-import preview export.csv', 'the first 5 bodies with the built-in layout'],
        ['hire-import preview export.csv -m export.mapping.yaml -n 20', 'the first 20 with your mapping'],
        ['hire-import preview migration.yaml --step interviews', "a plan's step, with its parents' ids"],
      ]),
    )
    .action(async (file: string, flags: Omit<PreviewOptions, 'file' | 'endpoint'> & { resource: string }) => {
      const { mapping, n, format, encoding, delimiter, sheet, resource, step, sandbox } = flags;
      await run({ command: 'preview', options: { file, mapping, n, format, encoding, delimiter, sheet, endpoint: endpointFor(resource)!, step, sandbox } });
    });

  program.on('command:*', ([name]: string[]) => {
    // A usage error like commander's own (main turns it into exit 2).
    program.error(`error: unknown command '${name}'${commandSuggestion(name!, program.commands.map((command) => command.name()))}`, { code: 'commander.unknownCommand' });
  });
  for (const command of [program, ...program.commands]) readEnvironment(command, context.env);
  return Object.assign(program, { exitCodes: exitCodeLists });
}

/**
 * Words a user of another ATS or of the API would guess for a command, and the command they mean: the one
 * did-you-mean (suggest.ts) catches typos, this catches synonyms.
 */
const commandAliases: Record<string, string> = {
  candidate: 'talents',
  candidates: 'talents',
  people: 'talents',
  feedback: 'assessments',
  scorecard: 'assessments',
  scorecards: 'assessments',
  evaluations: 'assessments',
  'background-check': 'background-checks',
  checks: 'background-checks',
};

/** What to say after "unknown command 'x'": a synonym's command, a typo's, or (for `import`) the import commands. */
export function commandSuggestion(name: string, commands: readonly string[]): string {
  const lower = name.toLowerCase();
  if (lower === 'import') return `: each resource has its own import command (${resourceNames.join(', ')}), e.g. hire-import assessments FILE`;
  const meant = commandAliases[lower];
  return meant ? ` (did you mean '${meant}'?)` : suggestion(name, commands, 'commands');
}
