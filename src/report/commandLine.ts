/**
 * The commands hire-import prints for the user to paste: they start with the program as the user runs it, and every
 * word is quoted for a POSIX shell where it needs to be (shellWord), so the line works when pasted as it is.
 */
import { realpathSync } from 'node:fs';
import { basename, delimiter, isAbsolute, join, relative } from 'node:path';
import { binNames } from '../version.js';
import { shellWord } from './shellWord.js';

/**
 * How the user runs this program: a bare name when that name on PATH is this very file (installed with npm, or
 * linked), else its path as typed from `cwd` (`./bin/hire-import.js` in a clone), else its absolute path.
 * `script` is the process's argv[1]; `path` the PATH variable.
 */
export function programName(script: string, path: string | undefined, cwd: string): string {
  const itself = realPath(script);
  for (const name of new Set([basename(script), ...binNames])) {
    for (const folder of (path ?? '').split(delimiter)) {
      if (folder !== '' && itself !== undefined && realPath(join(folder, name)) === itself) return name;
    }
  }
  const near = relative(cwd, script);
  return shellWord(near.startsWith('..') || isAbsolute(near) ? script : `./${near}`);
}

function realPath(file: string): string | undefined {
  try {
    return realpathSync(file);
  } catch {
    return undefined;
  }
}

/** A command line for the user: the program as they run it, then the words, each quoted where it must be. */
export function commandLine(program: string, words: readonly string[]): string {
  return [program, ...words.map(shellWord)].join(' ');
}
