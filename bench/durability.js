/**
 * `node bench/durability.js [SECONDS]`: what the result log's durability costs at the limit. An import at 20 creates/s
 * appends two lines per record (the intent before the create, the outcome when it answers); the log flushes them to
 * the disk with one fdatasync per window (`syncWindowMs`) in which lines were written. This appends that load, and
 * ten times it, through the built ResultLog (dist/) to a file in .bench/, with the real fdatasync timed around each
 * call, and once more with a disk that never syncs. Per load it reports the syncs per second, how long a sync took
 * (p50, p99, max), how long after its append each line was on the disk (p50, p99, max, and how many lines took
 * over 100 ms: the window an OS crash or a power loss could lose), the CPU the process spent, and how late the appends ran against their schedule (an
 * event loop held up by the disk would show there). Prints a table and writes .bench/results-durability.json.
 */
import { fdatasync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { ResultLog, syncWindowMs } from '../dist/log/resultLog.js';
import { makeBody } from './generate.js';
import { fmt, table } from './measure.js';

const seconds = Number(process.argv[2] ?? 20);
const dir = '.bench';
mkdirSync(dir, { recursive: true });

function percentile(sorted, p) {
  return sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Appends `perSecond` records' lines (intent, then outcome) for `seconds`, syncing for real or not at all. */
async function measure(perSecond, sync) {
  const path = `${dir}/durability.results.jsonl`;
  rmSync(path, { force: true });
  const appendedAt = [];
  let synced = 0;
  const syncMs = [];
  /** Per line, how long after its append the sync that covered it finished. */
  const waitMs = [];
  const disk = {
    sync: (fd, done) => {
      const started = performance.now();
      const covered = appendedAt.length; // a sync covers every line written before it starts
      const finish = (error) => {
        const now = performance.now();
        if (sync) syncMs.push(now - started);
        for (; synced < covered; synced++) waitMs.push(now - appendedAt[synced]);
        done(error);
      };
      if (sync) fdatasync(fd, finish);
      else setImmediate(() => finish(null));
    },
    later: (flush, ms) => {
      const timer = setTimeout(flush, ms);
      return () => clearTimeout(timer);
    },
  };
  const log = ResultLog.open(path, { bytes: 0, missingNewline: false }, {
    disk,
    header: { hire_import: 1, target: 'https://open.feishu.cn', app_id: 'cli_bench', resource: 'assessments', created_at: new Date().toISOString() },
  });
  const count = perSecond * seconds;
  const lateMs = [];
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 1; i <= count; i++) {
    const due = started + ((i - 1) * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    lateMs.push(performance.now() - due);
    const externalId = `B-${i}`;
    log.append({ external_id: externalId, status: 'sending', resource: 'assessments', parent: makeBody(i).external_interview_id });
    appendedAt.push(performance.now());
    log.append({
      external_id: externalId, status: 'created', id: String(7_000_000_000_000_000_000n + BigInt(i)), line: i + 1, code: 0,
      hash: i.toString(16).padStart(16, '0'), attempts: 1, resource: 'assessments', file: 'records.csv', at: new Date().toISOString(),
    });
    appendedAt.push(performance.now());
  }
  await log.close();
  const elapsedS = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  syncMs.sort((a, b) => a - b);
  lateMs.sort((a, b) => a - b);
  waitMs.sort((a, b) => a - b);
  rmSync(path, { force: true });
  return {
    recordsPerSecond: perSecond,
    fdatasync: sync,
    lines: count * 2,
    syncs: syncMs.length,
    syncsPerSecond: syncMs.length / elapsedS,
    syncMs: { p50: percentile(syncMs, 50), p99: percentile(syncMs, 99), max: syncMs.at(-1) ?? null, total: syncMs.reduce((sum, ms) => sum + ms, 0) },
    waitToDiskMs: sync ? { p50: percentile(waitMs, 50), p99: percentile(waitMs, 99), max: waitMs.at(-1), over100: waitMs.filter((ms) => ms > 100).length } : null,
    cpuMs: (used.user + used.system) / 1000,
    cpuShare: (used.user + used.system) / 1000 / (elapsedS * 1000),
    appendLateMs: { p99: percentile(lateMs, 99), max: lateMs.at(-1) },
  };
}

const results = {
  machine: { date: new Date().toISOString(), cpus: os.availableParallelism(), node: process.version, loadAverageAtStart: os.loadavg().map((load) => Number(load.toFixed(2))) },
  syncWindowMs,
  seconds,
  runs: [],
};
for (const perSecond of [20, 200]) {
  for (const sync of [true, false]) {
    process.stderr.write(`durability: ${perSecond} records/s for ${seconds} s, ${sync ? 'fdatasync' : 'no sync'}...\n`);
    results.runs.push(await measure(perSecond, sync));
  }
}
results.machine.loadAverageAtEnd = os.loadavg().map((load) => Number(load.toFixed(2)));
console.log(table(
  `Result log durability: ${seconds} s of appends (an intent and an outcome per record) through ResultLog, ${syncWindowMs} ms sync window; ` +
    `load average ${results.machine.loadAverageAtStart.join(' ')} at start, ${results.machine.loadAverageAtEnd.join(' ')} at end`,
  ['records/s', 'disk', 'lines', 'syncs/s', 'sync p50 ms', 'sync p99 ms', 'sync max ms', 'on disk after p50 / p99 / max ms', 'lines > 100 ms', 'CPU ms', 'CPU %', 'append late p99 / max ms'],
  results.runs.map((run) => [
    run.recordsPerSecond, run.fdatasync ? 'fdatasync' : 'no sync', run.lines, fmt(run.syncsPerSecond, 1),
    fmt(run.syncMs.p50, 2), fmt(run.syncMs.p99, 2), fmt(run.syncMs.max, 2), run.waitToDiskMs ? `${fmt(run.waitToDiskMs.p50, 1)} / ${fmt(run.waitToDiskMs.p99, 1)} / ${fmt(run.waitToDiskMs.max, 1)}` : '-', run.waitToDiskMs?.over100 ?? '-',
    fmt(run.cpuMs, 0), fmt(run.cpuShare * 100, 2), `${fmt(run.appendLateMs.p99, 1)} / ${fmt(run.appendLateMs.max, 1)}`,
  ]),
));
writeFileSync(`${dir}/results-durability.json`, `${JSON.stringify(results, null, 2)}\n`);
