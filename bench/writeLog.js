/**
 * A result log as a finished import of records 1..count of a generated CSV would leave it: for each record the
 * intent written before its create (`sending`, with the parent it was sent under) and its `created` line, in the
 * shapes the pipeline writes, for measuring a rerun over it. Feishu ids are 19 digits, like real ones.
 * `node bench/writeLog.js LOG COUNT INPUT` writes one from the command line.
 */
import { once } from 'node:events';
import { createWriteStream, existsSync, renameSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { makeBody } from './generate.js';

/** The log lines of record i, created from `file`: its intent, then its outcome. */
function createdLines(i, file) {
  const intent = { external_id: `B-${i}`, status: 'sending', resource: 'assessments', parent: makeBody(i).external_interview_id };
  const entry = {
    external_id: `B-${i}`,
    status: 'created',
    id: String(7000000000000000000n + BigInt(i)),
    line: i + 1,
    code: 0,
    hash: createHash('sha256').update(String(i)).digest('hex').slice(0, 16),
    attempts: 1,
    resource: 'assessments',
    file,
    at: new Date(Date.UTC(2026, 10, 24, 8) + i * 50).toISOString(),
  };
  return `${JSON.stringify(intent)}\n${JSON.stringify(entry)}\n`;
}

/**
 * Writes the log (via a temporary file). It has no header, as an earlier version wrote them, so that it serves
 * whatever port the benchmark's sandbox gets.
 */
export async function writeLog(path, count, file) {
  const partial = `${path}.partial`;
  const out = createWriteStream(partial);
  const batch = 5000;
  for (let start = 1; start <= count; start += batch) {
    let chunk = '';
    for (let i = start; i < Math.min(start + batch, count + 1); i++) chunk += createdLines(i, file);
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  renameSync(partial, path);
  return path;
}

/** The log, written only if it is not there yet (the 1M-line log is reused between runs). */
export async function ensureLog(path, count, file) {
  if (!existsSync(path)) await writeLog(path, count, file);
  return path;
}

if (process.argv[1]?.endsWith('writeLog.js')) {
  const [path, count, file] = process.argv.slice(2);
  await writeLog(path, Number(count), file);
}
