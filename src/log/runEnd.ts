/**
 * How the last run of a result log ended, kept beside the log (LOG.run): `finished` (every record of its input read
 * and answered) or `stopped` (a signal, --max-duration, an outage: the rest is for a rerun), when, and the command that
 * continues it. Written as the run ends, while it still holds the log's lock; a run killed with -9 writes none, so a
 * log with outcomes newer than this file was stopped by a crash. Only `status` reads it: a file that cannot be written
 * or read costs its wording, never the import.
 */
import { readFileSync, writeFileSync } from 'node:fs';

export interface RunEnd {
  state: 'finished' | 'stopped';
  at: string;
  /** What continues the import: the same command (a plan's `migrate`, for a step). */
  command: string;
  /** The folder it was run in: the command's paths are from there. */
  cwd: string;
}

export function runEndPath(log: string): string {
  return `${log}.run`;
}

export function writeRunEnd(log: string, end: RunEnd): void {
  try {
    writeFileSync(runEndPath(log), `${JSON.stringify(end)}\n`, { mode: 0o600 });
  } catch {
    // Status then tells the run's end from the log and its lock alone.
  }
}

export function readRunEnd(log: string): RunEnd | undefined {
  try {
    const end = JSON.parse(readFileSync(runEndPath(log), 'utf8')) as Partial<RunEnd>;
    const whole = (end.state === 'finished' || end.state === 'stopped') && typeof end.at === 'string' && typeof end.command === 'string' && typeof end.cwd === 'string';
    return whole ? (end as RunEnd) : undefined;
  } catch {
    return undefined;
  }
}
