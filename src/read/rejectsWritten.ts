/**
 * Which rejects file a run may write. Each rejects file has a record of what was written to it (its size and
 * SHA-256, in `<file>.written` beside it). A later run replaces a rejects file only while it still matches that
 * record: one the user has edited since, or one without a record (older, or not ours), is never deleted or
 * overwritten; the run's rejects go to the next name that is free or replaceable (export.rejects-2.csv, ...).
 */
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, lstatSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { checkOwned, createOwned } from '../log/owned.js';

export interface WrittenDigest {
  size: number;
  sha256: string;
}

export interface RejectsTarget {
  /** Where this run's rejects go; nothing is there now. */
  path: string;
  /** Rejects files edited since a run wrote them (or of unknown origin), kept as they are, in name order. */
  kept: string[];
}

/** The record's path: `export.rejects.csv.written`. */
export function writtenRecordPath(rejects: string): string {
  return `${rejects}.written`;
}

/** Notes what a run wrote to `rejects`, once the file is closed. */
export function recordWritten(rejects: string, digest: WrittenDigest): void {
  const about = `hire-import wrote ${basename(rejects)}; the next run replaces it only while it still has this size and SHA-256`;
  removeRecord(rejects);
  const fd = createOwned(writtenRecordPath(rejects));
  writeSync(fd, `${JSON.stringify({ about, ...digest })}\n`);
  closeSync(fd);
}

/**
 * The first of `base`, base-2, base-3, ... that is free or unchanged since written; an unchanged one is deleted now
 * (with its record), since what it held is stale however this run ends.
 */
export async function claimRejectsPath(base: string): Promise<RejectsTarget> {
  const kept: string[] = [];
  for (let number = 1; ; number++) {
    const path = number === 1 ? base : numbered(base, number);
    checkOwned(path, 'the rejects file', { named: false });
    checkOwned(writtenRecordPath(path), 'the rejects record', { named: false });
    if (!present(path)) {
      removeRecord(path);
      return { path, kept };
    }
    if (await unchangedSinceWritten(path)) {
      unlinkSync(path);
      removeRecord(path);
      return { path, kept };
    }
    kept.push(path);
  }
}

/** `export.rejects.csv` -> `export.rejects-2.csv`. */
function numbered(base: string, number: number): string {
  const extension = extname(base);
  return `${base.slice(0, base.length - extension.length)}-${number}${extension}`;
}

async function unchangedSinceWritten(path: string): Promise<boolean> {
  const recorded = readRecord(path);
  if (recorded === undefined || statSync(path).size !== recorded.size) return false;
  return (await sha256Of(path)) === recorded.sha256;
}

function readRecord(rejects: string): WrittenDigest | undefined {
  try {
    const { size, sha256 } = JSON.parse(readFileSync(writtenRecordPath(rejects), 'utf8')) as Partial<WrittenDigest>;
    return typeof size === 'number' && typeof sha256 === 'string' ? { size, sha256 } : undefined;
  } catch {
    return undefined; // no record, or not one we can read: the file's origin is unknown
  }
}

function removeRecord(rejects: string): void {
  const record = writtenRecordPath(rejects);
  if (present(record)) unlinkSync(record);
}

/** Whether anything is at `path`, a link to nothing included. */
function present(path: string): boolean {
  return lstatSync(path, { throwIfNoEntry: false }) !== undefined;
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
