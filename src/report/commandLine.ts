/**
 * The commands hire-import prints for the user to paste: they start with the program as the user runs it, and every
 * word is quoted for a POSIX shell where it needs to be (shellWord), so the line works when pasted as it is.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { basename, delimiter, isAbsolute, join, relative } from 'node:path';
import { shellWord } from './shellWord.js';

/** The names an install puts on PATH (package.json's `bin`; the file is two folders up from src/report and dist/report). */
const installedNames = Object.keys((JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { bin: Record<string, string> }).bin);

/**
 * How the user runs this program: a bare name when that name on PATH is this very file (installed with npm, or
 * linked), else its path as typed from `cwd` (`./bin/hire-import.js` in a clone), else its absolute path.
 * `script` is the process's argv[1]; `path` the PATH variable.
 */
export function programName(script: string, path: string | undefined, cwd: string): string {
  const itself = realPath(script);
  for (const name of new Set([basename(script), ...installedNames])) {
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
