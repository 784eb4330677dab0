/**
 * One import per result log: two runs appending to the same log would interleave and could both send a record.
 *
 * The lock is proper-lockfile's: a folder made atomically beside the log's real path (so a symlink and a relative
 * path to one log find one lock), its mtime refreshed while the import runs, and taken over once it has not been
 * refreshed for `lockStaleMs` (its owner died). Another process's pid is not trusted: pids mean nothing across
 * containers or hosts that share a volume. A small file beside the lock names its owner (host, pid, process start
 * time, and where the system tells it the kernel's start tick of the process) for the message a second import gets.
 * A lock whose owner names this host and a process that cannot be running is taken at once, as git takes gc.pid: a
 * pid that is not running, one running with another start tick (the pid was reused), or this process's own pid with
 * an earlier start (a restarted container). So a rerun right after kill -9 continues. Only a lock of another host,
 * or of a process that may be alive, waits for staleness. A lock removed or taken while the import runs is noticed at
 * the next refresh: the import takes it again, or warns that another import may be writing, and carries on.
 *
 * Taking the lock creates nothing but the lock: the log itself is made by the first line written, so a run refused
 * here (exit 75) leaves no empty log behind.
 */
import { chmodSync, closeSync, constants, lstatSync, openSync, readFileSync, realpathSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { DateTime } from 'luxon';
import lockfile from 'proper-lockfile';
import { createFailure, LockedError } from '../errors.js';
import { checkOwned, checkStatePath, createOwned, insideStateFolder, PRIVATE_FILE_MODE, PRIVATE_FOLDER_MODE } from './owned.js';
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
  /** The process's start in the kernel's ticks since boot (/proc/PID/stat), where the system has it. */
  start?: string;
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

/**
 * Locks the log at `path` (creating the log if need be); `warn` hears of a lock lost while the import runs; `now`
 * is the wall clock a held lock's message tells its age and day by.
 */
export async function lockResultLog(path: string, warn: (text: string) => void, now: () => Date = () => new Date()): Promise<LogLock> {
  checkLogFile(path);
  checkStatePath(path, 'the result log');
  let realPath: string;
  try {
    realPath = logRealPath(path);
  } catch (error) {
    throw createFailure('the result log', path, error, 'or pass --log FILE to keep it elsewhere');
  }
  const lockPath = `${realPath}.lock`;
  const ownerPath = `${lockPath}.owner`;
  // Never a path the user names: planted, a lock would hold the import up, and an owner file linked elsewhere would
  // be written through; the lock is made 0700 below, so one left by a killed run passes under any umask.
  checkOwned(lockPath, 'the lock', { named: false });
  checkOwned(ownerPath, "the lock's owner file", { named: false });
  const owner = thisProcess();
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

  const gone = goneOwner(ownerPath, owner);
  // Read again just before: a rerun that took the lock meanwhile has written its own owner.
  if (gone !== undefined && readOwnerText(ownerPath) === gone) rmSync(lockPath, { recursive: true, force: true });
  try {
    release = await acquire();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') throw new LockedError(heldMessage(path, lockPath, ownerPath, now()));
    throw logWriteError(lockPath, error);
  }
  chmodSync(lockPath, PRIVATE_FOLDER_MODE);
  writeOwner(ownerPath, owner);
  return {
    release: async () => {
      released = true;
      // The lock first: killed between the two, a lock is left with its owner named, which a rerun takes at once.
      await release().catch(() => undefined); // a lock lost and taken by another import is not ours to release
      try {
        if (readFileSync(ownerPath, 'utf8') === ownerText(owner)) unlinkSync(ownerPath); // not another import's
      } catch {
        // Gone already (removed by hand): nothing of ours to remove.
      }
    },
  };
}

/** When this process started: the same for every lock it takes, earlier for a process that held this pid before. */
const processStart = new Date(Date.now() - process.uptime() * 1000);

/** This process as a lock's owner file names it. */
function thisProcess(): Owner {
  const start = startTick(process.pid);
  return { host: hostname(), pid: process.pid, since: processStart.toISOString(), ...(start === undefined ? {} : { start }) };
}

/**
 * The owner file's text when it names a process of this host that cannot be running (see the top of this file), so
 * its lock can be taken at once; undefined when the owner may be alive, is of another host, or is not named.
 */
function goneOwner(ownerPath: string, self: Owner): string | undefined {
  const text = readOwnerText(ownerPath);
  let owner: Owner;
  try {
    owner = JSON.parse(text ?? '') as Owner;
  } catch {
    return undefined; // no owner named (or another version's): only staleness decides
  }
  if (owner.host !== self.host || !Number.isSafeInteger(owner.pid) || owner.pid <= 0) return undefined;
  // A second of slack: uptime and the clock are read at slightly different moments.
  if (owner.pid === self.pid) return Date.parse(owner.since) < Date.parse(self.since) - 1000 ? text : undefined;
  if (!running(owner.pid)) return text;
  const start = owner.start === undefined ? undefined : startTick(owner.pid);
  return start !== undefined && start !== owner.start ? text : undefined;
}

function readOwnerText(ownerPath: string): string | undefined {
  try {
    return readFileSync(ownerPath, 'utf8');
  } catch {
    return undefined;
  }
}

/** Whether a process with this pid runs here (one of another user's answers EPERM: it runs). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** Field 22 of /proc/PID/stat, after the command name (which may hold spaces and parentheses); undefined without /proc. */
function startTick(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/**
 * The log's real path without creating it: that of the file if it exists, else its folder's real path and its name.
 * A symlink pointing at no file yet is followed by creating its file, the one way to learn where it points for sure.
 */
function logRealPath(path: string): string {
  try {
    return realpathSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (isSymlink(path)) {
    createLog(path); // a link the user named (checkStatePath refuses any other): its target is the log
    return realpathSync(path);
  }
  return join(realpathSync(dirname(path)), basename(path));
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * Whether an import holds the lock of the log at `path` now (`running`), or left it behind without releasing it
 * (`abandoned`: killed, its owner gone or the lock stale); undefined when no lock is there.
 */
export function lockState(path: string): 'running' | 'abandoned' | undefined {
  let lockPath: string;
  try {
    lockPath = `${realpathSync(path)}.lock`;
  } catch {
    return undefined;
  }
  let refreshedMs: number;
  try {
    refreshedMs = statSync(lockPath).mtimeMs;
  } catch {
    return undefined;
  }
  if (goneOwner(`${lockPath}.owner`, thisProcess()) !== undefined || Date.now() - refreshedMs > lockStaleMs) return 'abandoned';
  return 'running';
}

function writeOwner(ownerPath: string, owner: Owner): void {
  try {
    const fd = openSync(ownerPath, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, PRIVATE_FILE_MODE);
    try {
      writeFileSync(fd, ownerText(owner));
    } finally {
      closeSync(fd);
    }
  } catch {
    // Only the message to a second import needs it; the lock holds without it.
  }
}

function ownerText(owner: Owner): string {
  return `${JSON.stringify(owner)}\n`;
}

function heldMessage(path: string, lockPath: string, ownerPath: string, now: Date): string {
  let who = 'another import';
  try {
    const owner = JSON.parse(readFileSync(ownerPath, 'utf8')) as Owner;
    const since = DateTime.fromISO(owner.since);
    const at = since.hasSame(DateTime.fromJSDate(now), 'day') ? since.toFormat('HH:mm') : since.toFormat('yyyy-MM-dd HH:mm');
    who = `another import (pid ${owner.pid} on host ${owner.host}, since ${at})`;
  } catch {
    // Taken a moment ago and not yet described, or described by an older version: say less.
  }
  let refreshed = '';
  try {
    refreshed = ` ${Math.max(0, Math.round((now.getTime() - statSync(lockPath).mtimeMs) / 1000))} s ago`;
  } catch {
    // Released meanwhile.
  }
  return (
    `${who} is writing ${path}; wait for it to finish. If it is no longer running (killed, or its machine went down), ` +
    `its lock (${lockPath}, last refreshed${refreshed || ' recently'}) is taken over once it is ${lockStaleMs / 1000} s old: run again then`
  );
}
