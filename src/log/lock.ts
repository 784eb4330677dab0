/**
 * One import per result log: two runs appending to the same log would interleave and could both send a record.
 *
 * The lock is proper-lockfile's: a folder made atomically beside the log's real path (so a symlink and a relative
 * path to one log find one lock), its mtime refreshed while the import runs, and taken over once it has not been
 * refreshed for `lockStaleMs` (its owner died). Another process's pid is not trusted: pids mean nothing across
 * containers or hosts that share a volume. A small file beside the lock names its owner (host, pid, process start
 * time) for the message a second import gets, and lets a restarted container (which runs at the same pid again) take
 * at once a lock that names its own host and pid with an earlier start: that process is gone, since the pid is ours. A lock removed or taken while the import runs is noticed at
 * the next refresh: the import takes it again, or warns that another import may be writing, and carries on.
 */
import { closeSync, constants, lstatSync, openSync, readFileSync, realpathSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { DateTime } from 'luxon';
import lockfile from 'proper-lockfile';
import { createFailure, LockedError } from '../errors.js';
import { checkStatePath, createOwned, insideStateFolder, PRIVATE_FILE_MODE } from './owned.js';
import { checkLogFile, logWriteError } from './resultLog.js';

export interface LogLock {
  release(): Promise<void>;
}

/** Long enough for a slow network volume or a busy machine to refresh it many times over. */
export const lockStaleMs = 30_000;
const lockRefreshMs = 2_000;

interface Owner {
  host: string;
  pid: number;
  since: string;
}

/**
 * Creates a missing log 0600: in the state folder anew (O_EXCL: never through a link, never over a file made
 * meanwhile); at a path the user named, through the link they named.
 */
function createLog(path: string): void {
  if (!insideStateFolder(path)) return closeSync(openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND, PRIVATE_FILE_MODE));
  if (lstatSync(path, { throwIfNoEntry: false }) !== undefined) return;
  try {
    closeSync(createOwned(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error; // another import made it first: it locks
  }
}

/** Locks the log at `path` (creating the log if need be); `warn` hears of a lock lost while the import runs. */
export async function lockResultLog(path: string, warn: (text: string) => void): Promise<LogLock> {
  checkLogFile(path);
  checkStatePath(path, 'the result log');
  let realPath: string;
  try {
    createLog(path); // the real path of a log not yet written is that of an empty one
    realPath = realpathSync(path);
  } catch (error) {
    throw createFailure('the result log', path, error, 'or pass --log FILE to keep it elsewhere');
  }
  const lockPath = `${realPath}.lock`;
  const ownerPath = `${lockPath}.owner`;
  const owner: Owner = { host: hostname(), pid: process.pid, since: processStart.toISOString() };
  let release: () => Promise<void>;
  let released = false;

  const acquire = () =>
    lockfile.lock(realPath, { realpath: false, lockfilePath: lockPath, stale: lockStaleMs, update: lockRefreshMs, onCompromised });
  function onCompromised(error: Error): void {
    if (released) return;
    acquire().then(
      (again) => {
        release = again;
        writeOwner(ownerPath, owner);
        warn(`hire-import: the lock on ${path} was removed while this import ran (${error.message}); it was taken again\n`);
      },
      () => warn(`hire-import: the lock on ${path} was taken while this import ran (${error.message}); another import may be writing the same log\n`),
    );
  }

  if (earlierSelf(ownerPath, owner)) rmSync(lockPath, { recursive: true, force: true });
  try {
    release = await acquire();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') throw new LockedError(heldMessage(path, lockPath, ownerPath));
    throw logWriteError(lockPath, error);
  }
  writeOwner(ownerPath, owner);
  return {
    release: async () => {
      released = true;
      try {
        if (readFileSync(ownerPath, 'utf8') === ownerText(owner)) unlinkSync(ownerPath); // not another import's
      } catch {
        // Gone already (removed by hand): nothing of ours to remove.
      }
      await release().catch(() => undefined); // likewise a lock lost and taken by another import
    },
  };
}

/** When this process started: the same for every lock it takes, earlier for a process that held this pid before. */
const processStart = new Date(Date.now() - process.uptime() * 1000);

/** Whether the lock's owner is an earlier process of this host with this process's pid: one that cannot be running. */
function earlierSelf(ownerPath: string, self: Owner): boolean {
  try {
    const owner = JSON.parse(readFileSync(ownerPath, 'utf8')) as Owner;
    // A second of slack: uptime and the clock are read at slightly different moments.
    return owner.host === self.host && owner.pid === self.pid && Date.parse(owner.since) < Date.parse(self.since) - 1000;
  } catch {
    return false; // no owner named (or another version's): only staleness decides
  }
}

function writeOwner(ownerPath: string, owner: Owner): void {
  try {
    writeFileSync(ownerPath, ownerText(owner));
  } catch {
    // Only the message to a second import needs it; the lock holds without it.
  }
}

function ownerText(owner: Owner): string {
  return `${JSON.stringify(owner)}\n`;
}

function heldMessage(path: string, lockPath: string, ownerPath: string): string {
  let who = 'another import';
  try {
    const owner = JSON.parse(readFileSync(ownerPath, 'utf8')) as Owner;
    const since = DateTime.fromISO(owner.since);
    const at = since.hasSame(DateTime.now(), 'day') ? since.toFormat('HH:mm') : since.toFormat('yyyy-MM-dd HH:mm');
    who = `another import (pid ${owner.pid} on host ${owner.host}, since ${at})`;
  } catch {
    // Taken a moment ago and not yet described, or described by an older version: say less.
  }
  let refreshed = '';
  try {
    refreshed = ` ${Math.max(0, Math.round((Date.now() - statSync(lockPath).mtimeMs) / 1000))} s ago`;
  } catch {
    // Released meanwhile.
  }
  return (
    `${who} is writing ${path}; wait for it to finish. If it is no longer running (killed, or its machine went down), ` +
    `its lock (${lockPath}, last refreshed${refreshed || ' recently'}) is taken over once it is ${lockStaleMs / 1000} s old: run again then`
  );
}
