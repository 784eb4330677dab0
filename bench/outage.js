/**
 * `node bench/outage.js [BIN]`: what a 30 s outage mid-run costs. The CLI (BIN, default this build's) imports 600
 * records at 20/s into the sandbox; 10 s in, the sandbox goes away for 30 s (connections refused) and comes back on
 * the same port with the same records (a state file). Prints the outcome counts, the rejects file's size, the
 * requests sent while nothing answered, and how long after the sandbox came back the first record was created.
 * Reports figures; never fails on them.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox } from '../dist/sandbox/server.js';

const bin = process.argv[2] ?? new URL('../bin/hire-import.js', import.meta.url).pathname;
const credentials = { appId: 'cli_bench', appSecret: 'bench-secret' };
const count = 600;
const downAfterMs = 10_000;
const downForMs = 30_000;

const folder = mkdtempSync(join(tmpdir(), 'hire-import-outage-'));
const rows = ['external_id,external_interview_id,username,conclusion,content,dim1_type,dim1_title,dim1_score,dim2_type,dim2_title,dim2_content'];
for (let n = 0; n < count; n++) rows.push(`O-${n},69861998324949${String(n).padStart(5, '0')},interviewer${n % 7},${(n % 3) + 1},"notes ${n}",score,Coding,${n % 5},text,Summary,"fine"`);
writeFileSync(join(folder, 'export.csv'), `${rows.join('\n')}\n`);
const stateFile = join(folder, 'feishu.jsonl');
const sandboxOptions = { ...credentials, seed: 3, rateLimit: 0, latencyMs: 50, stateFile };

let sandbox = await startSandbox(sandboxOptions);
const { port } = sandbox;
const env = { PATH: process.env.PATH, NO_COLOR: '1', FEISHU_APP_ID: credentials.appId, FEISHU_APP_SECRET: credentials.appSecret, FEISHU_BASE_URL: sandbox.url };
const child = spawn(process.execPath, [bin, 'assessments', 'export.csv', '--json', '--quiet'], { cwd: folder, env, stdio: ['ignore', 'pipe', 'pipe'] });
let stdout = '';
child.stdout.on('data', (chunk) => (stdout += chunk));
const exited = new Promise((resolve) => child.on('close', resolve));

await new Promise((resolve) => setTimeout(resolve, downAfterMs));
const before = sandbox.stats().requests;
await sandbox.close();
const downAt = Date.now();
// Requests nothing answered: the CLI's total minus what the two sandboxes saw (each also saw a token request or so).
await new Promise((resolve) => setTimeout(resolve, downForMs));
sandbox = await startSandbox({ ...sandboxOptions, port });
const upAt = Date.now();
const code = await exited;
const after = sandbox.stats();
await sandbox.close();

const summary = JSON.parse(stdout);
const createdTimes = readFileSync(join(folder, 'export.results.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line))
  .filter((entry) => entry.status === 'created')
  .map((entry) => Date.parse(entry.at));
const firstAfter = Math.min(...createdTimes.filter((at) => at >= upAt));
const rejects = join(folder, 'export.rejects.csv');
console.log(
  JSON.stringify(
    {
      bin,
      exitCode: code,
      counts: summary.counts,
      pending: summary.pending,
      retryable: summary.retryable,
      rejectedRows: existsSync(rejects) ? readFileSync(rejects, 'utf8').split('\n').filter(Boolean).length - 1 : 0,
      requestsUnanswered: summary.requests - before - after.requests,
      outageSeconds: Math.round((upAt - downAt) / 100) / 10,
      resumedAfterSeconds: Number.isFinite(firstAfter) ? Math.round((firstAfter - upAt) / 100) / 10 : null,
      outages: summary.outages,
      outageMs: summary.outageMs,
    },
    null,
    2,
  ),
);
