/** The package's version, read from package.json beside src/ (and beside the bundle in dist/: one folder down either way). */
import { readFileSync } from 'node:fs';

export const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
