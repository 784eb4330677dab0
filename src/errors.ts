import { dirname } from 'node:path';
import { appRefusals } from './endpoints/codes.js';

/**
 * Typed errors. Commands throw these; `src/main.ts` is the one place that turns them into a message and an exit
 * code (through `exitCodeFor` here), so no command ever calls process.exit.
 */

/** Exit codes, documented in --help and the README. */
export const ExitCode = {
  ok: 0,
  recordsFailed: 1,
  usage: 2,
  /** Stopped on purpose (--max-duration): run the same command again to continue. */
  stoppedOnPurpose: 3,
  /** The service would not take requests (a rate limit that never lifts). */
  unavailable: 69,
  /** Feishu refused the app itself (a permission, the IP allow-list, the quota): fix the app, then rerun. */
  appRefused: 77,
  /** A bug in hire-import. */
  internal: 70,
  /** The result log could not be written (a full disk, an I/O error). */
  logWriteFailed: 74,
  /** Another import holds the result log; try again later. */
  locked: 75,
  interrupted: 130,
} as const;

/**
 * What each exit code of an import (and `migrate`) means: the one text --help prints and the README's table repeats
 * word for word (a test compares them). Backticks mark option names; --help prints them bare.
 */
export const exitCodeMeanings = {
  ok: 'every record created, or already done by an earlier run',
  recordsFailed: 'some records invalid, failed or blocked (see the result log and the rejects file)',
  usage:
    'usage or configuration error: a bad option, refused credentials, a bad mapping, unreadable input, ' +
    'a result log that cannot be read as one or belongs to another target, app or resource, or a folder the result log or the rejects file cannot be created in ' +
    '(missing, read-only: the message says which and what to do)',
  stoppedOnPurpose: 'stopped on purpose at `--max-duration`: requests in flight were finished and logged; run the same command again to continue',
  unavailable:
    'Feishu could not be reached: no answer for `--max-outage` (default 15m) mid-run, or no token after 3 tries at the start; ' +
    'or it would not take requests: nothing but "request trigger frequency limit" for 5 minutes (the app\'s quota is used up, ' +
    'or another program uses the app at its limit). Records not sent are not failed; run again later to continue',
  appRefused: appRefusedMeaning('requests in flight were finished and logged; fix it and run the same command again to continue'),
  internal: 'an unexpected internal error: a bug in hire-import; please report it with `DEBUG=1` output',
  logWriteFailed:
    'the result log or the rejects file could not be written (a full disk, a file size limit, an I/O error): sending stopped ' +
    'at once, and the outcomes the log could not take are printed on stderr',
  locked: 'another import holds the result log: wait for it to finish (a cron wrapper can tell "already running" from a failure)',
  interrupted:
    'interrupted (Ctrl-C, SIGTERM, or SIGHUP from a closed ssh session or terminal): requests in flight were finished and ' +
    'logged; run again to continue',
} as const satisfies Record<keyof typeof ExitCode, string>;

/** Exit 77's meaning, listing the whole-app refusals of Feishu's code table, then what became of the run. */
function appRefusedMeaning(after: string): string {
  const codes = appRefusals.map((entry) => `${entry.code} ${entry.what}`).join(', ');
  return `Feishu refused the app itself, not a record (${codes}): the run stopped at once and the message says what to fix; ${after}`;
}

/** What each exit code of `undo` means, for its --help and the README's table alike (a test compares them). */
export const undoExitCodeMeanings = {
  ok: 'everything the logs name as created by this tool was deleted (or a dry run)',
  recordsFailed: 'some deletes failed (listed in the summary); run again to try them again',
  usage: 'usage or configuration error, a damaged result log, or not confirmed; nothing was deleted',
  stoppedOnPurpose: 'stopped on purpose at `--max-duration`: deletes in flight were finished and logged; run the same command again to continue',
  unavailable: 'Feishu could not be reached (no answer for `--max-outage`, default 15m, or no token after 3 tries), or would not take requests (a rate limit that never lifted); run again later to continue',
  appRefused: appRefusedMeaning('deletes in flight were finished and logged; fix it and run again to continue'),
  internal: exitCodeMeanings.internal,
  logWriteFailed: 'a result log could not be written; deletions not logged are printed on stderr',
  locked: 'an import or undo holds a result log; wait for it to finish',
  interrupted: 'interrupted (Ctrl-C, SIGTERM or SIGHUP): deletes in flight were finished and logged; run again to continue',
} as const satisfies Partial<Record<keyof typeof ExitCode, string>>;

/** What each exit code of `verify` means, for its --help and the README's table alike (a test compares them). */
export const verifyExitCodeMeanings = {
  ok: 'every record that can be checked is on Feishu as the export says (talents cannot be read back: not checked)',
  recordsFailed: 'some records are missing, differ, were not imported, or could not be read back (see the report file)',
  usage: 'usage or configuration error (bad option, credentials, mapping, plan, unreadable input or log)',
  stoppedOnPurpose: 'stopped on purpose at `--max-duration`: the records not reached were not checked; run the same command again to check them all',
  unavailable: 'Feishu could not be reached (no answer for `--max-outage`, default 15m, or no token after 3 tries), or would not take requests (a rate limit that never lifted); run again later',
  appRefused: appRefusedMeaning('the records not reached were not checked'),
  internal: exitCodeMeanings.internal,
  logWriteFailed: 'the report file or a result log could not be written (a full disk, an I/O error)',
  interrupted: 'interrupted (Ctrl-C, SIGTERM or SIGHUP): the records not reached were not checked',
} as const satisfies Partial<Record<keyof typeof ExitCode, string>>;

/** The meanings of one command's exit codes, by name. */
export type ExitCodeMeanings = Partial<Record<keyof typeof ExitCode, string>>;

/** Bad arguments or options: the command line itself is wrong. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Bad configuration: credentials, a mapping file, a permission the app lacks. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Input that cannot be read at all (binary, wrong encoding, not CSV): nothing is sent. */
export class InputError extends Error {
  override name = 'InputError';
}

/** A result log that is not (or no longer) this tool's log, damaged other than at its tail: nothing is sent. */
export class DamagedLogError extends Error {
  override name = 'DamagedLogError';
}

/** Feishu refused the app as a whole (a permission, the IP allow-list, the quota): no record can succeed. */
export class AppRefusedError extends Error {
  override name = 'AppRefusedError';
}

/** The service keeps refusing every request (a used-up quota): sending stopped, a later run continues. */
export class ServiceUnavailableError extends Error {
  override name = 'ServiceUnavailableError';
}

/** The run reached --max-duration: it stopped reading on purpose, and a rerun continues where it stopped. */
export class StoppedOnPurposeError extends Error {
  override name = 'StoppedOnPurposeError';
}

/** The result log (or the rejects file) could not be written: sending stopped at once. */
export class LogWriteError extends Error {
  override name = 'LogWriteError';
}

/** Another import holds the result log. */
export class LockedError extends Error {
  override name = 'LockedError';
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError || error instanceof ConfigError || error instanceof InputError || error instanceof DamagedLogError) {
    return ExitCode.usage;
  }
  if (error instanceof StoppedOnPurposeError) return ExitCode.stoppedOnPurpose;
  if (error instanceof ServiceUnavailableError) return ExitCode.unavailable;
  if (error instanceof AppRefusedError) return ExitCode.appRefused;
  if (error instanceof LogWriteError) return ExitCode.logWriteFailed;
  if (error instanceof LockedError) return ExitCode.locked;
  // The machine refused something: a disk that takes no more (the rejects file, say) is like a log that cannot be
  // written; anything else (a file that cannot be opened) is the setup's. Neither is a bug, and the message says what.
  if (isSystemError(error)) return diskFullCodes.has(error.code!) ? ExitCode.logWriteFailed : ExitCode.usage;
  return ExitCode.internal;
}

const diskFullCodes = new Set(['ENOSPC', 'EDQUOT', 'EFBIG', 'EIO']);

/** An error from the operating system (it names the call that failed), rather than from hire-import's own code. */
export function isSystemError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && typeof (error as NodeJS.ErrnoException).syscall === 'string';
}

/** What the system's refusal to write a file means, in words. */
export function writeFailureReason(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  const reasons: Record<string, string> = {
    ENOSPC: 'the disk is full',
    EDQUOT: 'the disk quota is used up',
    EFBIG: 'the file is as large as this system allows (ulimit -f?)',
    EIO: 'an I/O error (a failing disk or a lost network volume?)',
    EACCES: 'no permission to write it',
    EPERM: 'no permission to write it',
    EROFS: 'the file system is read-only',
    ENOENT: 'its folder does not exist',
    EISDIR: 'it is a folder',
  };
  return `${(code && reasons[code]) ?? 'the system refused'} (${message})`;
}

/** Why a file cannot be created in a folder, and the fix, when the folder is the trouble (not a full disk). */
const folderReasons: Record<string, string> = {
  ENOENT: 'the folder does not exist; create it',
  ENOTDIR: 'part of that path is a file, not a folder; correct the path',
  EACCES: 'no permission to create files in that folder; make it writable',
  EPERM: 'no permission to create files in that folder; make it writable',
  EROFS: 'the file system is read-only; remount it writable',
};

/**
 * A file hire-import must write (`what`: "the result log") could not be created at `path` before anything was sent.
 * A folder that is missing or read-only is a usage error (exit 2) whose message ends with the fix, then
 * `otherwise` ("or pass --log FILE ..."); a full disk is a write failure (74).
 */
export function createFailure(what: string, path: string, error: unknown, otherwise: string): Error {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = code ? folderReasons[code] : undefined;
  if (reason) return new UsageError(`cannot create ${what} in ${dirname(path)}/: ${reason}, ${otherwise}`);
  return new LogWriteError(`cannot write ${what} ${path}: ${writeFailureReason(error)}`);
}
