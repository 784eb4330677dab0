#!/usr/bin/env node
// The Node.js version is checked first: the command itself needs a newer one than some systems ship (Debian 12 has
// 18), and would otherwise crash with an error that does not say so. Keep this file in syntax old Node parses.
import { readFileSync } from 'node:fs';
import { nodeTooOld } from '../dist/nodeVersion.js';

const engines = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).engines.node;
const tooOld = nodeTooOld(process.versions.node, engines);
if (tooOld) {
  process.stderr.write('hire-import: ' + tooOld + '\n');
  process.exitCode = 2;
} else {
  import('../dist/cli.js');
}
