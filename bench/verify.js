/**
 * The verify scenario: `count` interviews with one assessment each, imported into a sandbox at the endpoints' own
 * limits (interviews 10/s, assessments 20/s: two imports, the assessments finding their interviews in the
 * interviews' log), then verified by a plan of both steps (read back 20 ids a request at 10 requests/s). Reports
 * records per second of each, over the client's own elapsed time.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSandbox } from '../dist/sandbox/server.js';
import { lastJson, runNode } from './measure.js';

const files = {
  'interviews.yaml': 'fields: { external_id: id, external_application_id: application, begin_time: begin, participate_status: status }\n',
  'assessments.yaml':
    'lookups: { interviews: { log: interviews.results.jsonl } }\n' +
    'fields: { external_id: id, external_interview_id: { from: interview, lookup: interviews }, username: username, conclusion: conclusion, content: content }\n',
  'plan.yaml':
    'steps:\n  - { resource: interviews, input: interviews.csv, mapping: interviews.yaml }\n  - { resource: assessments, input: assessments.csv, mapping: assessments.yaml }\n',
};

export async function verifyScenario(dir, count, credentials) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const rows = Array.from({ length: count }, (_, i) => i + 1);
  writeFileSync(join(dir, 'interviews.csv'), ['id,application,begin,status', ...rows.map((i) => `V-${i},70000000000${String(i % 50).padStart(8, '0')},${1709622000000 + i * 60_000},2`)].join('\n'));
  writeFileSync(join(dir, 'assessments.csv'), ['id,interview,username,conclusion,content', ...rows.map((i) => `W-${i},V-${i},interviewer ${i % 7},${1 + (i % 3)},"notes, ${i}"`)].join('\n'));

  const sandbox = await startSandbox({ ...credentials, seed: 7, latencyMs: 50, jitterMs: 20 });
  const env = { FEISHU_APP_ID: credentials.appId, FEISHU_APP_SECRET: credentials.appSecret, FEISHU_BASE_URL: sandbox.url };
  const cli = async (...args) => {
    const run = await runNode(['bin/hire-import.js', ...args, '--json'], { env });
    return { exitCode: run.code, wallMs: run.wallMs, summary: lastJson(run.stdout), stderr: run.code === 0 ? undefined : run.stderr.slice(-2000) };
  };
  try {
    const imports = [
      await cli('interviews', join(dir, 'interviews.csv'), '-m', join(dir, 'interviews.yaml'), '--quiet'),
      await cli('assessments', join(dir, 'assessments.csv'), '-m', join(dir, 'assessments.yaml'), '--quiet'),
    ];
    const importMs = imports.reduce((sum, run) => sum + (run.summary?.elapsedMs ?? NaN), 0);
    const verify = await cli('verify', join(dir, 'plan.yaml'));
    const records = 2 * count;
    const importPerSec = (records * 1000) / importMs;
    const verifyPerSec = (records * 1000) / (verify.summary?.elapsedMs ?? NaN);
    return { records, imports, verify, importMs, importPerSec, verifyPerSec, ratio: verifyPerSec / importPerSec, stats: sandbox.stats() };
  } finally {
    await sandbox.close();
  }
}
