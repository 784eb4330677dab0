/**
 * `npm run bench`: hire-import against the sandbox on loopback, and the official SDK side by side. Prints tables and
 * writes the raw figures to .bench/results.json. Reports timings; never fails on them (exit 1 only on a crash).
 * BENCH_QUICK=1 shrinks every scenario, to check that the benchmark itself works. BENCH_ONLY=limits|sdk|dryrun|plan|verify|resume|startup|hostile|workbooks
 * runs one scenario alone (resume runs the dry run too: its time is the measure). The result log's durability has its
 * own script, bench/durability.js.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { startSandbox } from '../dist/sandbox/server.js';
import { ensureCsv, makeBody, recordNumber, seededTalents, writeMigration } from './generate.js';
import { hostileScenario } from './hostile.js';
import { verifyScenario } from './verify.js';
import { canonical, fmt, lastJson, perSecond, perSecondHistogram, runNode, slowestWindow, table } from './measure.js';
import { ensureSdk } from './sdk.js';
import { ensureLog } from './writeLog.js';
import { hugeCellRows, hugeSharedString, MAPPING, plainRows, sharedStringRows, strayCellRows, tinySharedStrings, writeWorkbook } from './workbooks.js';

const quick = process.env.BENCH_QUICK === '1';
const size = { sustained: quick ? 60 : 600, limited: quick ? 40 : 200, sdk: quick ? 40 : 200, dryRun: quick ? 20_000 : 1_000_000, verify: quick ? 20 : 300 };
const migrationSize = quick
  ? { candidates: 20, interviews: 30, offers: 6, checks: 6 }
  : { candidates: 200, interviews: 300, offers: 60, checks: 60 };
const only = process.env.BENCH_ONLY;
/** Whether the scenario `name` runs in this invocation. */
const runs = (name) => only === undefined || only === name;
const credentials = { appId: 'cli_bench', appSecret: 'bench-secret' };
const dir = '.bench';

/** Starts a sandbox with `options`, runs `work(sandbox)`, and returns its result with the sandbox's view of the run. */
async function withSandbox(options, work) {
  const sandbox = await startSandbox({ ...credentials, seed: 7, ...options });
  // When each 429 was answered (to 10 ms), to tell a start-up burst from a slip in the steady state.
  const rateLimitedAt = [];
  const watch = setInterval(() => {
    const { rateLimited } = sandbox.stats();
    while (rateLimitedAt.length < rateLimited) rateLimitedAt.push(Date.now());
  }, 10);
  try {
    const result = await work(sandbox);
    clearInterval(watch);
    const stored = sandbox.assessments();
    const times = stored.map((assessment) => assessment.createdAt);
    const firstCreate = Math.min(...times);
    const same = (a, b) => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
    const mismatched = stored.filter(({ body }) => !same(body, makeBody(recordNumber(body.external_id))));
    return {
      ...result,
      sandbox: options,
      created: stored.length,
      createsPerSec: perSecond(times),
      slowest5sPerSec: slowestWindow(times, 5000),
      createsEachSecond: perSecondHistogram(times),
      rateLimitedAtMsAfterFirstCreate: rateLimitedAt.map((at) => at - firstCreate),
      payloadMismatches: mismatched.length,
      firstMismatch: mismatched[0]?.body,
      stats: sandbox.stats(),
    };
  } finally {
    clearInterval(watch);
    await sandbox.close();
  }
}

/** hire-import at default settings over `file` into the sandbox; its JSON summary and the child's peak RSS. */
async function importWithCli(sandbox, name, file) {
  const log = `${dir}/${name}.results.jsonl`;
  rmSync(log, { force: true });
  rmSync(`${log}.lock`, { force: true });
  const env = { FEISHU_APP_ID: credentials.appId, FEISHU_APP_SECRET: credentials.appSecret, FEISHU_BASE_URL: sandbox.url };
  const run = await runNode(['bin/hire-import.js', 'assessments', file, '--json', '--quiet', '--log', log], { env });
  const summary = lastJson(run.stdout);
  return {
    client: 'hire-import',
    exitCode: run.code,
    wallMs: run.wallMs,
    summary,
    latency: summary?.latency ?? null,
    peakRssMb: summary?.peakRssMb ?? run.peakRssMb,
    polledPeakRssMb: run.peakRssMb,
    stderr: run.code === 0 ? undefined : run.stderr.slice(-2000),
  };
}

/** The SDK sending records 1..count, `batch` at a time (1: a plain awaited loop). */
async function importWithSdk(sandbox, count, batch) {
  const env = { FEISHU_APP_ID: credentials.appId, FEISHU_APP_SECRET: credentials.appSecret };
  const run = await runNode(['bench/sdkLoop.js', sandbox.url, String(count), String(batch)], { env });
  const outcome = lastJson(run.stdout);
  return {
    client: batch === 1 ? 'SDK, awaited loop' : `SDK, Promise.all ${batch} at a time`,
    exitCode: run.code,
    wallMs: run.wallMs,
    outcome,
    latency: outcome?.latency ?? null,
    peakRssMb: run.peakRssMb,
    stderr: run.code === 0 ? undefined : run.stderr.slice(-2000),
  };
}

/** RSS in MB at a fraction of a child's run, from its samples: shows whether memory grows with the input. */
function rssAt(samples, fraction) {
  if (samples.length === 0) return null;
  return samples[Math.min(samples.length - 1, Math.floor(fraction * samples.length))][1];
}

/** One child's figures for the dry-run table; `records` is what it says it read. */
function passFigures(run, records) {
  return {
    exitCode: run.code,
    records,
    wallMs: run.wallMs,
    rowsPerSec: records === null ? null : (records * 1000) / run.wallMs,
    peakRssMb: run.peakRssMb,
    rssMbAt: { '25%': rssAt(run.rssSamples, 0.25), '50%': rssAt(run.rssSamples, 0.5), '75%': rssAt(run.rssSamples, 0.75), end: rssAt(run.rssSamples, 1) },
    stderr: run.code === 0 ? undefined : run.stderr.slice(-2000),
  };
}

/**
 * hire-import --dry-run and the bare csv-parse pass over `file`, alternated `repeats` times; the fastest run of
 * each is reported (noise on a shared machine only ever adds time), every run is kept in `runs`.
 */
async function dryRun(file, repeats) {
  const runs = { cli: [], bare: [] };
  for (let round = 0; round < repeats; round++) {
    const cli = await runNode(['bin/hire-import.js', 'assessments', file, '--dry-run', '--json', '--quiet']);
    const summary = lastJson(cli.stdout);
    runs.cli.push({ ...passFigures(cli, summary?.counts?.read ?? null), summary });
    const bare = await runNode(['bench/csvBare.js', file]);
    runs.bare.push(passFigures(bare, lastJson(bare.stdout)?.records ?? null));
  }
  const fastest = (list) => list.reduce((best, run) => (run.wallMs < best.wallMs ? run : best));
  const cli = fastest(runs.cli);
  const bare = fastest(runs.bare);
  return { cli, bare, ratio: cli.wallMs / bare.wallMs, runs };
}

/** hire-import over `file` with `log` (every record done) against a sandbox, `repeats` times; the fastest is reported. */
async function resume(file, log, repeats) {
  const sandbox = await startSandbox({ ...credentials, rateLimit: 0 });
  const env = { FEISHU_APP_ID: credentials.appId, FEISHU_APP_SECRET: credentials.appSecret, FEISHU_BASE_URL: sandbox.url };
  const runs = [];
  try {
    for (let round = 0; round < repeats; round++) {
      const run = await runNode(['bin/hire-import.js', 'assessments', file, '--log', log, '--json', '--quiet'], { env });
      const summary = lastJson(run.stdout);
      runs.push({ ...passFigures(run, summary?.counts?.skipped ?? null), requests: summary?.requests ?? null });
    }
  } finally {
    await sandbox.close();
  }
  return { rerun: runs.reduce((best, run) => (run.wallMs < best.wallMs ? run : best)), runs };
}

function machine() {
  const cpuinfo = safely(() => readFileSync('/proc/cpuinfo', 'utf8')) ?? '';
  const cpuModel = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model;
  return {
    date: new Date().toISOString(),
    cpus: os.availableParallelism(),
    cpuModel,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    loadAverageAtStart: os.loadavg().map((load) => Number(load.toFixed(2))),
  };
}

/** A fingerprint of the built code: if it changes during the run (a shared workspace), the figures mix two builds. */
function buildFingerprint() {
  const hash = createHash('sha256');
  for (const name of readdirSync('dist', { recursive: true }).filter((file) => file.endsWith('.js')).sort()) {
    hash.update(name).update(readFileSync(`dist/${name}`));
  }
  return hash.digest('hex').slice(0, 12);
}

function safely(read) {
  try {
    return read();
  } catch {
    return undefined;
  }
}

function importRow(label, result) {
  const { summary, outcome } = result;
  // The SDK neither retries nor records failures: a call that threw is a record not created.
  const failed = summary ? summary.counts?.failed : outcome ? outcome.rateLimited + outcome.otherErrors : undefined;
  const elapsedMs = summary?.elapsedMs ?? outcome?.elapsedMs;
  return [
    label, result.client, result.created, fmt(result.createsPerSec, 2), fmt(elapsedMs && (result.created * 1000) / elapsedMs, 2),
    fmt(result.slowest5sPerSec, 1), result.stats.rateLimited,
    summary?.retries ?? (outcome ? 0 : '-'), failed ?? '-', fmt(result.latency?.p50Ms, 0), fmt(result.latency?.p99Ms, 0),
    result.stats.tokensIssued, fmt(result.peakRssMb, 0), result.exitCode,
  ];
}
const importHeader = ['scenario', 'client', 'created', 'creates/s', 'over run', 'slowest 5 s', '429s', 'retries', 'failed', 'p50 ms', 'p99 ms', 'tokens', 'RSS MB', 'exit'];

const cliEnv = (sandbox) => ({ FEISHU_APP_ID: credentials.appId, FEISHU_APP_SECRET: credentials.appSecret, FEISHU_BASE_URL: sandbox.url });

/** What a sandbox holds and counted per resource after a run, with its creates' times relative to `startedAt`. */
function perResource(sandbox, steps, startedAt) {
  const { byResource } = sandbox.stats();
  return Object.fromEntries(steps.map(({ resource }) => {
    // Seeded records were stored before the run started.
    const times = sandbox.records(resource).map((record) => record.createdAt).filter((at) => at >= startedAt);
    return [resource, {
      stored: times.length,
      requests: byResource[resource].requests,
      rateLimited: byResource[resource].rateLimited,
      missingParent: byResource[resource].missingParent,
      firstCreateS: times.length > 0 ? (Math.min(...times) - startedAt) / 1000 : null,
      lastCreateS: times.length > 0 ? (Math.max(...times) - startedAt) / 1000 : null,
    }];
  }));
}

/**
 * The whole migration of issue 8 at the sandbox's real limits (no override): `migrate` over the plan, then each step
 * alone, one after another, as single imports reading the earlier steps' logs, into a second sandbox.
 */
async function migrationScenario() {
  const example = writeMigration(`${dir}/plan`, migrationSize);
  const talents = seededTalents(migrationSize);
  for (const step of example.steps) for (const log of [step.planLog, step.singleLog]) for (const path of [log, `${log}.lock`]) rmSync(path, { force: true });
  const figures = { size: migrationSize, seededTalents: talents.length };

  process.stderr.write(`plan: migrate over ${Object.values(migrationSize).join('/')} records at the endpoints' own limits...\n`);
  let sandbox = await startSandbox({ ...credentials, seed: 7, talents });
  try {
    const startedAt = Date.now();
    const run = await runNode(['bin/hire-import.js', 'migrate', example.plan, '--json', '--quiet'], { env: cliEnv(sandbox) });
    const summary = lastJson(run.stdout);
    figures.plan = {
      exitCode: run.code, wallMs: run.wallMs, peakRssMb: run.peakRssMb, rateLimited: sandbox.stats().rateLimited,
      steps: Object.fromEntries((summary?.steps ?? []).map((step) => [step.step, {
        counts: step.counts, elapsedMs: step.elapsedMs, retries: step.retries, rateLimited: step.rateLimited, exitCode: step.exitCode,
      }])),
      sandbox: perResource(sandbox, example.steps, startedAt),
      stderr: run.code === 0 ? undefined : run.stderr.slice(-2000),
    };
  } finally {
    await sandbox.close();
  }

  sandbox = await startSandbox({ ...credentials, seed: 7, talents });
  try {
    figures.single = {};
    for (const step of example.steps) {
      process.stderr.write(`plan: ${step.name} alone...\n`);
      const startedAt = Date.now();
      const run = await runNode(['bin/hire-import.js', step.resource, step.input, '-m', step.singleMapping, '--log', step.singleLog, '--json', '--quiet'], { env: cliEnv(sandbox) });
      const summary = lastJson(run.stdout);
      figures.single[step.name] = {
        exitCode: run.code, wallMs: run.wallMs, elapsedMs: summary?.elapsedMs, counts: summary?.counts,
        sandbox: perResource(sandbox, [step], startedAt)[step.resource],
        stderr: run.code === 0 ? undefined : run.stderr.slice(-2000),
      };
    }
    figures.singleRateLimited = sandbox.stats().rateLimited;
  } finally {
    await sandbox.close();
  }
  const singles = Object.values(figures.single);
  figures.sumOfStepsMs = singles.reduce((sum, step) => sum + step.wallMs, 0);
  const slowest = Object.entries(figures.single).reduce((best, entry) => (entry[1].wallMs > best[1].wallMs ? entry : best));
  figures.slowestStep = { name: slowest[0], wallMs: slowest[1].wallMs };
  figures.ratio = figures.plan.wallMs / slowest[1].wallMs;
  // The same without the Node start-ups (a second or more on a loaded machine), from the CLI's own elapsed times.
  const planElapsedMs = Math.max(...Object.values(figures.plan.steps).map((step) => step.elapsedMs ?? 0));
  const slowestElapsedMs = Math.max(...singles.map((step) => step.elapsedMs ?? 0));
  figures.elapsedRatio = { planMs: planElapsedMs, slowestStepMs: slowestElapsedMs, ratio: planElapsedMs / slowestElapsedMs };
  results.migration = figures;

  const rows = example.steps.map(({ name, resource }) => {
    const inPlan = figures.plan.steps[name];
    const held = figures.plan.sandbox[resource];
    const alone = figures.single[name];
    return [name, held.stored, inPlan?.counts?.created ?? '-', inPlan?.counts?.matched ?? '-', inPlan?.counts?.blocked ?? '-', held.rateLimited,
      fmt(held.firstCreateS, 1), fmt(held.lastCreateS, 1), fmt(inPlan?.elapsedMs / 1000, 1), alone.sandbox.stored, alone.counts?.matched ?? '-',
      alone.sandbox.rateLimited, fmt(alone.wallMs / 1000, 1), inPlan?.exitCode ?? '-', alone.exitCode];
  });
  console.log(table(
    `4. The whole migration (${Object.entries(migrationSize).map(([k, v]) => `${v} ${k}`).join(', ')}; ${talents.length} talents already in Feishu), at each endpoint's own limits`,
    ['step', 'stored', 'created', 'matched', 'blocked', '429s', 'first create s', 'last create s', 'step s', 'alone: stored', 'matched', '429s', 'wall s', 'exit', 'exit alone'],
    rows,
  ));
  console.log(`  plan ${fmt(figures.plan.wallMs / 1000, 1)} s; steps one after another ${fmt(figures.sumOfStepsMs / 1000, 1)} s; ` +
    `slowest step alone (${figures.slowestStep.name}) ${fmt(figures.slowestStep.wallMs / 1000, 1)} s; plan / slowest: ${fmt(figures.ratio, 2)} (target <= 1.25); ` +
    `429s: ${figures.plan.rateLimited} (plan), ${figures.singleRateLimited} (steps alone)`);
  console.log(`  without Node start-up (the CLI's elapsedMs): plan ${fmt(planElapsedMs / 1000, 1)} s, slowest step ${fmt(slowestElapsedMs / 1000, 1)} s, ratio ${fmt(figures.elapsedRatio.ratio, 2)}; load average ${os.loadavg().map((load) => load.toFixed(2)).join(' ')}`);
}

const started = performance.now();
mkdirSync(dir, { recursive: true });
const results = {
  machine: machine(),
  build: buildFingerprint(),
  quick,
  size,
  method: {
    createsPerSec: "the sandbox's createdAt (arrival) times, first to last create: (n-1)/(last-first)",
    overRun: "created / the client's own elapsed time (hire-import's summary.elapsedMs; the SDK script's loop time)",
    slowest5sPerSec: 'fewest creates in any 5 s window between the first and the last create, per second',
  },
};
console.log(`hire-import benchmark, ${results.machine.date}, ${results.machine.cpus} x ${results.machine.cpuModel}, node ${results.machine.node}${quick ? ' (quick)' : ''}`);

if (runs('limits')) {
  const sustainedFile = await ensureCsv(`${dir}/records-${size.sustained}.csv`, size.sustained);
  const limitedFile = await ensureCsv(`${dir}/records-${size.limited}.csv`, size.limited);

  // Imports at the limit: sustained creates/s at three server latencies with +-40% jitter.
  results.sustained = [];
  for (const latencyMs of [50, 300, 1000]) {
    const name = `sustained-${latencyMs}ms`;
    process.stderr.write(`${name}: ${size.sustained} records...\n`);
    results.sustained.push(await withSandbox({ rateLimit: 20, latencyMs, jitterMs: latencyMs * 0.4 }, (sandbox) => importWithCli(sandbox, name, sustainedFile)));
  }

  // ... with the token expiring every 10 s, so that it is renewed mid-run (every 8 s) several times.
  process.stderr.write(`token-renewals: ${size.sustained} records, token lifetime 10 s...\n`);
  results.tokenRenewals = await withSandbox({ rateLimit: 20, latencyMs: 300, jitterMs: 120, tokenTtlSeconds: 10 }, (sandbox) => importWithCli(sandbox, 'token-renewals', sustainedFile));

  // ... and against a server whose limit (10/s) is below the configured rate (20/s).
  process.stderr.write(`limited: ${size.limited} records against a 10/s server...\n`);
  results.limited = await withSandbox({ rateLimit: 10, latencyMs: 150, jitterMs: 60 }, (sandbox) => importWithCli(sandbox, 'limited-10', limitedFile));

  console.log(table(
    `1. hire-import at default settings (--rate 20); sandbox rate limit 20/s unless said, latency +-40%; creates/s from the sandbox's arrival times`,
    importHeader,
    [
      ...results.sustained.map((r) => importRow(`${r.sandbox.latencyMs} ms`, r)),
      importRow('300 ms, token TTL 10 s', results.tokenRenewals),
      importRow('limit 10/s, 150 ms', results.limited),
    ],
  ));
}

if (runs('sdk')) {
  const smallFile = await ensureCsv(`${dir}/records-${size.sdk}.csv`, size.sdk);

  // The official SDK on the same payloads, same sandbox settings.
  const sdkSandbox = { rateLimit: 20, latencyMs: 150, jitterMs: 60 };
  ensureSdk();
  process.stderr.write(`sdk: ${size.sdk} records, awaited loop, Promise.all 20 at a time, and hire-import...\n`);
  results.sdk = {
    loop: await withSandbox(sdkSandbox, (sandbox) => importWithSdk(sandbox, size.sdk, 1)),
    parallel: await withSandbox(sdkSandbox, (sandbox) => importWithSdk(sandbox, size.sdk, 20)),
    cli: await withSandbox(sdkSandbox, (sandbox) => importWithCli(sandbox, 'sdk-comparison', smallFile)),
  };
  results.sdk.ratio = results.sdk.cli.createsPerSec / results.sdk.loop.createsPerSec;
  console.log(table(
    `2. The official SDK and hire-import on the same ${size.sdk} payloads; sandbox limit 20/s, latency 150 +-60 ms`,
    importHeader,
    [results.sdk.loop, results.sdk.parallel, results.sdk.cli].map((r) => importRow('150 ms', r)),
  ));
  console.log(`  hire-import / SDK awaited loop, creates/s: ${fmt(results.sdk.ratio, 2)}x; bodies differing from the generator's: ` +
    `${results.sdk.cli.payloadMismatches} (hire-import), ${results.sdk.loop.payloadMismatches} (SDK)`);
}

const dryRow = (label, r) => [label, fmt(r.records, 0), fmt(r.wallMs / 1000, 1), fmt(r.rowsPerSec, 0), fmt(r.peakRssMb, 0), `${r.rssMbAt['25%']} / ${r.rssMbAt['50%']} / ${r.rssMbAt['75%']}`, r.exitCode];
const bigFile = `${dir}/records-${size.dryRun}.csv`;

if (runs('dryrun') || runs('resume')) {
  // Dry run over a large default-layout CSV against a bare csv-parse pass.
  process.stderr.write(`dry run: ${size.dryRun.toLocaleString('en-US')} rows (the file is written once and kept in ${dir}/)...\n`);
  await ensureCsv(bigFile, size.dryRun);
  results.dryRun = await dryRun(bigFile, quick ? 1 : 2);
  console.log(table(
    `3. --dry-run over ${size.dryRun.toLocaleString('en-US')} CSV rows (2 dimensions each) and a bare csv-parse pass (columns: true), each a child process; fastest of ${quick ? 1 : 2} alternated runs`,
    ['run', 'rows', 'wall s', 'rows/s', 'peak RSS MB', 'RSS at 25/50/75% MB', 'exit'],
    [dryRow('hire-import --dry-run', results.dryRun.cli), dryRow('csv-parse alone', results.dryRun.bare)],
  ));
  console.log(`  hire-import / csv-parse wall time: ${fmt(results.dryRun.ratio, 2)}x (fastest runs; every run: ` +
    `${results.dryRun.runs.cli.map((run, i) => fmt(run.wallMs / results.dryRun.runs.bare[i].wallMs, 2)).join(', ')})`);
}

if (runs('plan')) await migrationScenario();

if (runs('verify')) {
  // Verify against import: interviews with their assessments, at the endpoints' own limits.
  process.stderr.write(`verify: ${size.verify} interviews and ${size.verify} assessments, imported, then verified...\n`);
  const verified = (results.verify = await verifyScenario(`${dir}/verify`, size.verify, credentials));
  console.log(table(
    `5. ${size.verify} interviews + ${size.verify} assessments imported (10/s, 20/s), then verified by a plan (batch reads of 20 ids, 10/s); latency 50 +-20 ms`,
    ['records', 'import s', 'import records/s', 'verify s', 'verify records/s', 'verify / import', 'read requests', 'exit codes'],
    [[verified.records, fmt(verified.importMs / 1000, 1), fmt(verified.importPerSec, 1), fmt(verified.verify.summary?.elapsedMs / 1000, 1), fmt(verified.verifyPerSec, 1),
      `${fmt(verified.ratio, 1)}x`, verified.verify.summary?.readRequests ?? '-', [...verified.imports, verified.verify].map((run) => run.exitCode).join(' ')]],
  ));
}

if (runs('resume')) {
  // Resume: a rerun over a log that has every record of that input done, against the dry run of the same input.
  process.stderr.write(`resume: a rerun over the result log of ${size.dryRun.toLocaleString('en-US')} records of that input (an intent and an outcome each)...\n`);
  const bigLog = await ensureLog(`${dir}/records-${size.dryRun}.done.results.jsonl`, size.dryRun, bigFile);
  results.resume = await resume(bigFile, bigLog, quick ? 1 : 2);
  console.log(table(
    `7. A rerun over the result log of ${size.dryRun.toLocaleString('en-US')} records (${(2 * size.dryRun).toLocaleString('en-US')} lines: each record's intent and outcome; every record done, nothing sent) and its input; fastest of ${quick ? 1 : 2} runs`,
    ['run', 'rows', 'wall s', 'rows/s', 'peak RSS MB', 'RSS at 25/50/75% MB', 'exit'],
    [dryRow('hire-import rerun', results.resume.rerun), dryRow('hire-import --dry-run (table 3)', results.dryRun.cli)],
  ));
  console.log(`  rerun / dry run wall time: ${fmt(results.resume.rerun.wallMs / results.dryRun.cli.wallMs, 2)}x (fastest runs; every rerun: ` +
    `${results.resume.runs.map((run) => fmt(run.wallMs / 1000, 1)).join(', ')} s; every dry run: ${results.dryRun.runs.cli.map((run) => fmt(run.wallMs / 1000, 1)).join(', ')} s)`);
}

if (runs('hostile')) {
  process.stderr.write('hostile: peak memory on hostile inputs...\n');
  results.hostile = await hostileScenario(dir, quick);
  console.log(table(
    '11. Hostile inputs: peak memory (VmHWM) of a --dry-run, and of the sandbox',
    ['input', 'exit', 'read', 'refused', 'peak RSS MB'],
    results.hostile.map((r) => [r.name, String(r.exitCode ?? r.status), String(r.read ?? ''), String(r.invalid ?? ''), fmt(r.peakRssMb, 0)]),
  ));
}

if (runs('startup')) {
  // Start-up: what a short command costs before any record, the median of several runs of each (the suite's end-to-end
  // tests start the CLI some 250 times, and cron users pay it on every run).
  process.stderr.write('startup: short commands, each run several times...\n');
  const commands = [
    ['--version', ['--version']],
    ['--dry-run of the 7-record fixture', ['assessments', 'fixtures/assessments.csv', '--dry-run', '--quiet']],
    ['the Quick start import (--sandbox)', ['assessments', 'fixtures/assessments.csv', '--sandbox', '--quiet', '--log', `${dir}/startup/assessments.results.jsonl`]],
  ];
  const times = quick ? 3 : 9;
  results.startup = {};
  for (const [name, args] of commands) {
    const walls = [];
    for (let n = 0; n < times; n++) {
      // A fresh log and sandbox state (kept beside the log) each time, so every run creates the 7 records.
      rmSync(`${dir}/startup`, { recursive: true, force: true });
      mkdirSync(`${dir}/startup`, { recursive: true });
      const run = await runNode(['bin/hire-import.js', ...args]);
      if (run.code !== 0) throw new Error(`startup: ${name} exited ${run.code}: ${run.stderr}`);
      walls.push(run.wallMs);
    }
    walls.sort((a, b) => a - b);
    results.startup[name] = { medianMs: walls[Math.floor(walls.length / 2)], fastestMs: walls[0], slowestMs: walls.at(-1) };
  }
  console.log(table(
    `9. Start-up: short commands as a child process, ${times} runs each`,
    ['command', 'median s', 'fastest s', 'slowest s'],
    Object.entries(results.startup).map(([name, figures]) => [name, fmt(figures.medianMs / 1000, 2), fmt(figures.fastestMs / 1000, 2), fmt(figures.slowestMs / 1000, 2)]),
  ));
}

if (runs('workbooks')) {
  // Workbooks: a large one (memory flat in rows) and the hostile ones of issue 21, each dry-run as a child process.
  process.stderr.write('workbooks: a large workbook and hostile ones, each written once and kept...\n');
  const folder = `${dir}/workbooks`;
  mkdirSync(folder, { recursive: true });
  writeFileSync(`${folder}/export.mapping.yaml`, MAPPING);
  const MiB = 1024 * 1024;
  const rows = quick ? 20_000 : 200_000;
  const books = [
    [`${rows.toLocaleString('en-US')} rows, inline strings`, `plain-${rows}.xlsx`, { sheet: plainRows(rows) }],
    ['5,000 rows, each with a value at XFD', 'stray-xfd.xlsx', { sheet: strayCellRows(5000) }],
    ['one inline string of 300 MiB characters', 'huge-cell.xlsx', { sheet: hugeCellRows(300 * MiB) }],
    ['one shared string of 300 MiB characters', 'huge-shared-string.xlsx', { sheet: sharedStringRows(), strings: hugeSharedString(300 * MiB) }],
    ['30 million one-letter shared strings', 'tiny-shared-strings.xlsx', { sheet: sharedStringRows(), strings: tinySharedStrings(30_000_000) }],
  ];
  results.workbooks = [];
  for (const [name, file, parts] of books) {
    const path = `${folder}/${file}`;
    try {
      statSync(path);
    } catch {
      await writeWorkbook(path, parts);
    }
    rmSync(`${folder}/hire-import-state`, { recursive: true, force: true });
    const run = await runNode(['bin/hire-import.js', 'assessments', path, '-m', `${folder}/export.mapping.yaml`, '--dry-run', '--json']);
    let summary;
    try {
      summary = JSON.parse(run.stdout);
    } catch { /* no JSON: the figures say so with dashes */ }
    results.workbooks.push({ name, fileKb: statSync(path).size / 1024, wallMs: run.wallMs, peakRssMb: run.peakRssMb, exitCode: run.code, counts: summary?.counts, wouldCreate: summary?.wouldCreate, error: summary?.error?.message });
  }
  console.log(table(
    '10. --dry-run over workbooks, each a child process: a large one, and the hostile ones refused by their bounds (src/read/workbookLimits.ts)',
    ['workbook', 'file KB', 'wall s', 'peak RSS MB', 'would create', 'invalid', 'exit'],
    results.workbooks.map((book) => [book.name, fmt(book.fileKb, 0), fmt(book.wallMs / 1000, 1), fmt(book.peakRssMb, 0), book.wouldCreate ?? '-', book.counts?.invalid ?? '-', book.exitCode]),
  ));
}

results.buildAtEnd = buildFingerprint();
if (results.buildAtEnd !== results.build) console.log(`\nwarning: the code in dist/ changed during the run (${results.build} -> ${results.buildAtEnd}): the figures mix two builds`);
results.machine.loadAverageAtEnd = os.loadavg().map((load) => Number(load.toFixed(2)));
results.totalSeconds = (performance.now() - started) / 1000;
const resultsFile = `${dir}/results${only === undefined ? '' : `-${only}`}.json`;
writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nraw figures: ${resultsFile} (${fmt(results.totalSeconds, 0)} s in all)`);
for (const [name, result] of Object.entries(results)) {
  if (JSON.stringify(result).includes('"stderr":')) console.log(`note: a child in "${name}" exited non-zero; its stderr is in results.json`);
}
