/** A path as summaries and logs show it: relative to the working folder when inside it (as a user would type it). */
import { isAbsolute, relative } from 'node:path';

export function near(path: string, cwd: string): string {
  const relativePath = relative(cwd, path);
  return relativePath === '' || relativePath.startsWith('..') || isAbsolute(relativePath) ? path : relativePath;
}
