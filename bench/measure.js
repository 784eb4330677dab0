/** Measuring helpers shared by the benchmark scenarios: child processes with peak RSS, rates, percentiles, tables. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** VmHWM (peak resident set) and VmRSS of a live process in MB, from /proc (Linux); undefined once it is gone. */
function memoryOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { hwmMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024 };
  } catch {
    return undefined;
  }
}

/**
 * Runs `node args...` to completion, polling its memory every `pollMs`. Resolves with the exit code, stdout,
 * stderr, wall time and peak RSS (the last VmHWM seen, or null where /proc is not available), and the RSS samples.
 */
export function runNode(args, { env = {}, pollMs = 100 } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (chunk) => out.push(chunk));
    child.stderr.on('data', (chunk) => err.push(chunk));
    let peakRssMb = null;
    const rssSamples = [];
    const poll = () => {
      const memory = memoryOf(child.pid);
      // A process that has exited but not been reaped yet has no Vm lines.
      if (!memory || !Number.isFinite(memory.hwmMb)) return;
      peakRssMb = Math.max(peakRssMb ?? 0, memory.hwmMb);
      rssSamples.push([Math.round(performance.now() - started), Math.round(memory.rssMb)]);
    };
    const timer = setInterval(poll, pollMs);
    child.on('error', (error) => {
      clearInterval(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearInterval(timer);
      resolve({
        code, signal, wallMs: performance.now() - started, peakRssMb, rssSamples,
        stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}

/** The last line of a child's stdout that parses as a JSON object, or null. */
export function lastJson(stdout) {
  for (const line of stdout.trim().split('\n').reverse()) {
    try {
      const value = JSON.parse(line);
      if (value && typeof value === 'object') return value;
    } catch { /* not JSON: keep looking */ }
  }
  try {
    return JSON.parse(stdout);
  } catch {
    return null;
  }
}

/**
 * Events per second from first to last of the given millisecond timestamps (n events make n-1 intervals); null
 * when they span less than a second, where a burst would pass for a rate.
 */
export function perSecond(times) {
  if (times.length < 2) return null;
  const sorted = [...times].sort((a, b) => a - b);
  const spanMs = sorted.at(-1) - sorted[0];
  return spanMs < 1000 ? null : ((sorted.length - 1) * 1000) / spanMs;
}

/** How many events fell in each whole second after the first one: shows ramps and dips. */
export function perSecondHistogram(times) {
  const first = Math.min(...times);
  const counts = [];
  for (const time of times) {
    const second = Math.floor((time - first) / 1000);
    counts[second] = (counts[second] ?? 0) + 1;
  }
  return Array.from(counts, (count) => count ?? 0);
}

/** The fewest events in any window of `windowMs` starting at an event, between the first and last event. */
export function slowestWindow(times, windowMs) {
  const sorted = [...times].sort((a, b) => a - b);
  let fewest = null;
  let end = 0;
  for (let start = 0; start < sorted.length && sorted[start] + windowMs <= sorted.at(-1); start++) {
    while (end < sorted.length && sorted[end] < sorted[start] + windowMs) end++;
    fewest = Math.min(fewest ?? Infinity, end - start);
  }
  return fewest === null ? null : (fewest * 1000) / windowMs;
}

/** The p-th percentile (0-100), nearest rank. */
export function percentile(values, p) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Objects with sorted keys, so two bodies compare equal whatever order their fields were written in. */
export function canonical(value) {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, canonical(value[key])]));
  }
  return value;
}

/** A figure for a table cell: numbers rounded to `digits`, null and undefined as "-". */
export function fmt(value, digits = 1) {
  if (value === null || value === undefined || Number.isNaN(value)) return '-';
  if (typeof value !== 'number') return String(value);
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A plain-text table: a title, a header row and rows of cells, columns padded to fit. */
export function table(title, header, rows) {
  const cells = [header, ...rows].map((row) => row.map(String));
  const widths = header.map((_, column) => Math.max(...cells.map((row) => row[column].length)));
  const line = (row) => `  ${row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('   ')}`;
  return [`\n${title}`, line(cells[0]), `  ${widths.map((w) => '-'.repeat(w)).join('   ')}`, ...cells.slice(1).map(line)].join('\n');
}
