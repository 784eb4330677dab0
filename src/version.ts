/** The package's version and bin names, read from package.json beside src/ (and beside the bundle in dist/: one folder down either way). */
import { readFileSync } from 'node:fs';

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string; bin: Record<string, string> };

export const version = manifest.version;

/** The names an install puts on PATH (`bin`). */
export const binNames = Object.keys(manifest.bin);
