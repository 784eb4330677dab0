/**
 * One import per result log: two runs appending to the same log would interleave and could both send a record.
 * The lock is a file beside the log holding the owner's pid; a lock whose process is gone (kill -9) is taken over.
 */
import { openSync, readFileSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { LockedError } from '../errors.js';

export interface LogLock {
  release(): void;
}

export function lockResultLog(logPath: string, pid = process.pid): LogLock {
  const lockPath = `${logPath}.lock`;
  for (let tries = 0; ; tries++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, String(pid));
      closeSync(fd);
      return { release: () => unlinkSync(lockPath) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || tries > 0) throw error;
      const owner = Number(readFileSync(lockPath, 'utf8'));
      if (isAlive(owner)) {
        throw new LockedError(
          `another import (pid ${owner}) is writing ${logPath}; wait for it to finish, or give this run its own --log`,
        );
      }
      // Another run may have taken over the same stale lock a moment ago: only unlink what still names the dead pid.
      if (Number(readFileSync(lockPath, 'utf8')) === owner) unlinkSync(lockPath);
    }
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
