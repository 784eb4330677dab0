/**
 * BENCH_ONLY=hostile: peak memory (VmHWM) of the CLI on hostile inputs (issue 21), each a `--dry-run --json` as a
 * child process: huge unquoted CSV cells, a huge JSONL line, looping, recursing and ranging expressions; and of the
 * sandbox (`hire-import sandbox`) answering a 400 MB POST. Inputs are written in pieces, so the benchmark itself
 * stays small. Memory, not time, is the measure: load does not change it.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { runNode } from './measure.js';

const MiB = 1024 * 1024;
const HEADER = 'external_id,external_interview_id,username,conclusion,content';
const row = (id, content = 'fine') => `${id},6986199832494934316,lina,2,${content}\n`;

/** Writes `before`, then `bytes` of `fill` in 1 MiB pieces, then `after`. */
function writeHuge(path, before, bytes, fill, after) {
  const fd = openSync(path, 'w');
  writeSync(fd, before);
  const piece = Buffer.alloc(MiB, fill);
  for (let left = bytes; left > 0; left -= MiB) writeSync(fd, piece, 0, Math.min(MiB, left));
  writeSync(fd, after);
  closeSync(fd);
}

function expressionInput(folder, name, expr) {
  const csv = join(folder, `${name}.csv`);
  writeFileSync(csv, ['id,interview,who,verdict', ...Array.from({ length: 7 }, (_, n) => `E-${n},6986199832494934316,lina,2`), ''].join('\n'));
  const mapping = join(folder, `${name}.mapping.yaml`);
  writeFileSync(mapping, ['fields:', '  external_id: id', '  external_interview_id: interview', '  username: who', '  conclusion: verdict', `  content: { expr: ${JSON.stringify(expr)} }`, ''].join('\n'));
  return [csv, '-m', mapping];
}

async function dryRun(name, args) {
  const run = await runNode(['bin/hire-import.js', 'assessments', ...args, '--dry-run', '--json']);
  let counts = {};
  try {
    counts = JSON.parse(run.stdout).counts ?? {};
  } catch {
    // a crash prints no summary: the exit code says so
  }
  return { name, exitCode: run.code, peakRssMb: run.peakRssMb, wallMs: run.wallMs, read: counts.read, invalid: counts.invalid };
}

/** The sandbox as a child process, its peak memory before and after a POST of `bytes`. */
async function sandboxPost(bytes) {
  const port = 18000 + Math.floor(Math.random() * 2000);
  const child = spawn(process.execPath, ['bin/hire-import.js', 'sandbox', '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise((resolve) => {
    child.stdout.once('data', resolve);
    child.stderr.once('data', resolve);
  });
  const hwm = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
  const before = hwm();
  const status = await new Promise((resolve) => {
    const post = request({ host: '127.0.0.1', port, method: 'POST', path: '/open-apis/hire/v1/external_interview_assessments', headers: { 'content-type': 'application/json', 'content-length': bytes } }, (answer) => {
      answer.resume();
      resolve(answer.statusCode);
    });
    post.on('error', () => resolve('reset'));
    const piece = Buffer.alloc(MiB, 0x20);
    let sent = 0;
    const pump = () => {
      while (sent < bytes) {
        sent += MiB;
        if (!post.write(piece)) return post.once('drain', pump);
      }
      post.end();
    };
    pump();
  });
  const after = hwm();
  child.kill('SIGTERM');
  await new Promise((resolve) => child.on('close', resolve));
  return { name: `sandbox: a ${Math.round(bytes / 1e6)} MB POST`, status, peakRssMbBefore: before, peakRssMb: after };
}

export async function hostileScenario(dir, quick) {
  const folder = join(dir, 'hostile');
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  const rows = [];
  for (const mib of quick ? [20] : [100, 600]) {
    const csv = join(folder, `cell-${mib}.csv`);
    writeHuge(csv, `${HEADER}\n${row('B-1')}B-2,6986199832494934316,lina,2,`, mib * MiB, 'x', `\n${row('B-3')}`);
    rows.push(await dryRun(`CSV, one unquoted ${mib} MiB cell`, [csv]));
    rmSync(csv);
  }
  const jsonl = join(folder, 'line.jsonl');
  const line = (id) => `${JSON.stringify({ external_id: id, external_interview_id: '6986199832494934316' })}\n`;
  writeHuge(jsonl, `${line('J-1')}{"external_id":"J-2","external_interview_id":"6986199832494934316","content":"`, (quick ? 20 : 100) * MiB, 'z', `"}\n${line('J-3')}`);
  rows.push(await dryRun(`JSONL, one ${quick ? 20 : 100} MiB line`, [jsonl]));
  rmSync(jsonl);
  rows.push(await dryRun('7 records, a looping expression', expressionInput(folder, 'loop', '($f := function($n){ $f($n + 1) }; $f(0))')));
  rows.push(await dryRun('7 records, a recursion that never ends', expressionInput(folder, 'recursion', '($f := function($n){ 1 + $f($n + 1) }; $f(0))')));
  rows.push(await dryRun('7 records, $map([1..10000000], ...)', expressionInput(folder, 'range', "$join($map([1..10000000], function($v){ $string($v) }), ',')")));
  rows.push(await sandboxPost((quick ? 40 : 400) * 1e6));
  return rows;
}
