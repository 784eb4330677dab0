/**
 * The official Feishu Node SDK as a user would write it: records 1..count (the same bodies the CLI builds from the
 * benchmark CSV) sent with client.hire.externalInterviewAssessment.create, no pacing and no retries (the SDK has
 * neither). `node bench/sdkLoop.js URL COUNT [BATCH]`: BATCH 1 is a plain awaited loop; BATCH 20 fires 20 calls with
 * Promise.all, waits for them, then the next 20. Credentials from FEISHU_APP_ID and FEISHU_APP_SECRET.
 * Prints {"sent", "ok", "rateLimited", "otherErrors", "latency": {p50Ms, p99Ms}, "elapsedMs"}.
 * The SDK is no dependency of the package: `npm run bench` installs it into .bench/sdk (see sdk.js).
 */
import { loadSdk } from './sdk.js';
import { makeBody } from './generate.js';
import { percentile } from './measure.js';

const lark = loadSdk();

const [url, countText, batchText = '1'] = process.argv.slice(2);
const count = Number(countText);
const batch = Number(batchText);
const client = new lark.Client({
  appId: process.env.FEISHU_APP_ID,
  appSecret: process.env.FEISHU_APP_SECRET,
  domain: url,
  // The SDK logs every failed call; the counts below say it shorter. (loggerLevel: fatal does not work: it is 0, and
  // the SDK reads `params.loggerLevel || info`.)
  logger: Object.fromEntries(['error', 'warn', 'info', 'debug', 'trace'].map((level) => [level, () => {}])),
});

const latencies = [];
const outcome = { sent: 0, ok: 0, rateLimited: 0, otherErrors: 0 };

async function send(i) {
  const started = performance.now();
  outcome.sent++;
  try {
    const answer = await client.hire.externalInterviewAssessment.create({ data: makeBody(i) });
    if (answer.code === 0) outcome.ok++;
    else outcome.otherErrors++;
  } catch (error) {
    if (error.response?.data?.code === 99991400) outcome.rateLimited++;
    else outcome.otherErrors++;
  }
  latencies.push(performance.now() - started);
}

const started = performance.now();
for (let first = 1; first <= count; first += batch) {
  const group = [];
  for (let i = first; i < Math.min(first + batch, count + 1); i++) group.push(send(i));
  await Promise.all(group);
}
const elapsedMs = performance.now() - started;
console.log(JSON.stringify({ ...outcome, latency: { p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) }, elapsedMs }));
