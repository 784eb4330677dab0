/**
 * State no one else can plant: the tool's own files (result logs, locks, rejects files, the sandbox's state) and
 * the state folders holding them are refused when another user could have put them there or can change them: a
 * symbolic link the user did not name, a file or folder owned by another user, or one writable by group or others.
 * Each refusal says what to do. New files are created with O_EXCL and O_NOFOLLOW (never through a link planted a
 * moment before), mode 0600 unless a wider one is asked for; existing ones are opened without following a link
 * unless the user named the path.
 */
import { constants, lstatSync, openSync, readlinkSync, statSync, type Stats } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { ConfigError } from '../errors.js';

/** The folder, in the current one, that holds the default result logs: one folder per target, one log per resource. */
export const stateFolder = 'hire-import-state';

/** Private to its owner: what a file holding candidates' data is created with when nothing says otherwise. */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_FOLDER_MODE = 0o700;

export interface OwnedOptions {
  /** The user named this path (--log FILE): a symbolic link there is theirs to follow. */
  named: boolean;
}

/**
 * Throws a ConfigError when `path` exists and another user could have planted it or can change it; `what` names
 * it in the message ("the result log"). A missing path passes: it is created with createOwned.
 */
export function checkOwned(path: string, what: string, options: OwnedOptions): void {
  let stats = lstatSync(path, { throwIfNoEntry: false });
  if (stats === undefined) return;
  if (stats.isSymbolicLink()) {
    if (!options.named) {
      throw new ConfigError(
        `${what} ${path} is a symbolic link (to ${readlinkSync(path)}), which hire-import did not make and does not follow: ` +
          `someone may have planted it to make this run write elsewhere. Remove it (rm '${path}'), or name the file you mean with --log`,
      );
    }
    stats = statSync(path, { throwIfNoEntry: false });
    if (stats === undefined) return;
  }
  refuseForeign(path, what, stats);
}

/** Whether `path` lies in the state folder, where every path is the tool's own choice, never the user's. */
export function insideStateFolder(path: string): boolean {
  return resolve(path).startsWith(`${resolve(stateFolder)}${sep}`);
}

/** checkOwned for a file of the tool's state and, inside the state folder, for each folder above it. */
export function checkStatePath(path: string, what: string): void {
  const named = !insideStateFolder(path);
  if (!named) checkOwnedFolders(path);
  checkOwned(path, what, { named });
}

/** checkOwned for each existing folder from the state folder (included) down to `path`'s folder. */
export function checkOwnedFolders(path: string): void {
  const top = resolve(stateFolder);
  const folders: string[] = [];
  for (let folder = resolve(dirname(path)); `${folder}${sep}`.startsWith(`${top}${sep}`); folder = dirname(folder)) folders.unshift(folder);
  // Each is checked before anything below it is read: a planted folder's contents are never trusted.
  for (const folder of folders) checkOwned(relative('.', folder) || '.', 'the state folder', { named: false });
}

/** Creates `path` anew (O_EXCL, O_NOFOLLOW: never through a link, never over a file) for writing; its descriptor. */
export function createOwned(path: string, mode = PRIVATE_FILE_MODE, append = false): number {
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW | (append ? constants.O_APPEND : 0);
  return openSync(path, flags, mode);
}

/** O_NOFOLLOW for a path of the state folder (whose links are refused), nothing for a path the user named. */
export function noFollowFor(path: string): number {
  return insideStateFolder(path) ? constants.O_NOFOLLOW : 0;
}

/** The mode of a file holding records read from an input of `inputMode`: readable by no one the input is not. */
export function modeNoWiderThan(inputMode: number | undefined): number {
  return inputMode === undefined ? PRIVATE_FILE_MODE : PRIVATE_FILE_MODE | (inputMode & 0o044);
}

function refuseForeign(path: string, what: string, stats: Stats): void {
  const uid = process.getuid?.();
  if (uid !== undefined && stats.uid !== uid) {
    throw new ConfigError(
      `${what} ${path} belongs to user ${stats.uid}, not to you (user ${uid}): another user may have planted it. ` +
        `Look at what it holds; if it is yours, chown it to yourself, else remove it`,
    );
  }
  const writable = stats.mode & 0o022;
  if (writable !== 0) {
    const who = writable === 0o022 ? 'group and others' : writable & 0o020 ? 'its group' : 'others';
    throw new ConfigError(
      `${what} ${path} can be changed by ${who} (mode ${(stats.mode & 0o777).toString(8).padStart(3, '0')}): another user could plant records in it. ` +
        `If it is yours, run chmod go-w '${path}'`,
    );
  }
}
