/**
 * Where an import's records go, and where its state lives by default. A result log names its target (the base URL
 * and the app id) and its resource in its header, so a log never tells an import into another tenant, app or
 * resource that a record exists there. The default state belongs to the target and the resource, not to an input
 * file: exports that overlap (monthly exports, a re-export) share it, so a record in two of them is created once.
 * A rehearsal's target is `sandbox`, whatever port its emulator got.
 */
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigError, createFailure, UsageError } from '../errors.js';
import { checkOwnedFolders, insideStateFolder, PRIVATE_FOLDER_MODE, stateFolder } from './owned.js';
import type { LogHeader } from './resultLog.js';

export interface Target {
  /** The base URL (origin and path, no trailing slash), or `sandbox`. */
  url: string;
  /** Null for the sandbox (its own app), and for a dry run given no app id. */
  appId: string | null;
}

export { stateFolder };

export function targetOf(options: { sandbox: boolean; baseUrl: string; appId?: string }): Target {
  if (options.sandbox) return { url: 'sandbox', appId: null };
  const url = new URL(options.baseUrl);
  // The requests go to the origin, /open-apis being the client's (apiOrigin): written with it or not, one target.
  const path = url.pathname.replace(/\/+$/, '').replace(/\/open-apis$/i, '');
  return { url: `${url.origin}${path}`, appId: options.appId || null };
}

/** `https://open.feishu.cn (app cli_x)`, or `the sandbox`. */
export function describeTarget(target: Target): string {
  if (target.url === 'sandbox') return 'the sandbox';
  return target.appId === null ? target.url : `${target.url} (app ${target.appId})`;
}

/**
 * `hire-import-state/open.feishu.cn-cli_x/assessments.results.jsonl` (relative to the current folder), or
 * `hire-import-state/sandbox/...` for a rehearsal. A dry run given no app id reads the host's folder, which only a
 * log given with --log puts anything in.
 */
export function defaultLogPath(target: Target, resource: string): string {
  return logInState(targetSlug(target), resource);
}

/** The log of `resource` in the state folder's `targetFolder` (as defaultLogPath names it). */
export function logInState(targetFolder: string, resource: string): string {
  return join(stateFolder, targetFolder, `${resource}.results.jsonl`);
}

/**
 * Creates the folder of a log inside the state folder on first use, private to the user (0700), and refuses one
 * another user could have planted; any other folder is the user's to make.
 */
export function makeStateFolder(log: string): void {
  if (!insideStateFolder(log)) return;
  checkOwnedFolders(log);
  try {
    mkdirSync(dirname(log), { recursive: true, mode: PRIVATE_FOLDER_MODE });
  } catch (error) {
    // Said of the folder it could not be made in (the current one, say), like a log that cannot be created there.
    let missing = dirname(log);
    while (dirname(missing) !== missing && !existsSync(dirname(missing))) missing = dirname(missing);
    throw createFailure('the result log', missing, error, 'or pass --log FILE to keep it elsewhere');
  }
}

/** A folder name for the target: host and path, then the app id, in characters every file system takes. */
export function targetSlug(target: Target): string {
  if (target.url === 'sandbox') return 'sandbox';
  const url = new URL(target.url);
  const app = target.appId === null ? '' : `-${target.appId}`;
  return `${url.host}${url.pathname === '/' ? '' : url.pathname}${app}`.replace(/[^\w.-]/g, '_');
}

/** Throws unless the log at `path` (by its header) belongs to `target` and `resource`; a log without one is taken. */
export function checkLogTarget(path: string, header: LogHeader | undefined, target: Target, resource: string): void {
  if (header === undefined) return;
  const sameApp = target.appId === null || header.app_id === target.appId;
  if (header.target === target.url && sameApp && header.resource === resource) return;
  const here = describeTarget(target);
  const own = defaultLogPath(target, resource);
  throw new ConfigError(
    `${path} belongs to ${header.resource} in ${describeTarget({ url: header.target, appId: header.app_id })}, not to ${resource} in ${here}: ` +
      `its "created" lines say nothing about ${here}, so nothing was sent. ` +
      `Leave out --log to use the state of ${here} (${own}), or give a log of its own`,
  );
}

/**
 * The folder of the state folder that holds a plan's default logs: the sandbox's with --sandbox; else the target the
 * environment names (FEISHU_APP_ID, FEISHU_BASE_URL), else the one target whose state is here.
 */
export function planTargetFolder(sandbox: boolean, io: { cwd: string; env?: NodeJS.ProcessEnv }): string {
  const rehearsal = targetSlug(targetOf({ sandbox: true, baseUrl: '' }));
  if (sandbox) return rehearsal;
  const { FEISHU_APP_ID: appId, FEISHU_BASE_URL: baseUrl = 'https://open.feishu.cn' } = io.env ?? {};
  if (appId) return targetSlug(targetOf({ sandbox: false, baseUrl, appId }));
  const state = join(io.cwd, stateFolder);
  const targets = existsSync(state) ? readdirSync(state).filter((name) => name !== rehearsal && statSync(join(state, name)).isDirectory()) : [];
  if (targets.length > 1) {
    throw new UsageError(`${stateFolder}/ holds the state of ${targets.length} targets (${targets.join(', ')}): set FEISHU_APP_ID (and FEISHU_BASE_URL) as for the import, to say which`);
  }
  return targets[0] ?? targetSlug(targetOf({ sandbox: false, baseUrl }));
}
