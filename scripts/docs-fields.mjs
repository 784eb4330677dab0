/**
 * `npm run docs:fields`: writes the README's list of every resource's fields (src/docs/fieldTables.ts) between its
 * markers. The TypeScript is bundled in memory by esbuild (the build's own tool), so no build is needed first.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const { outputFiles } = await build({
  stdin: {
    contents: "export { withFieldTables } from './src/docs/fieldTables.ts'; export { endpoints } from './src/endpoints/registry.ts';",
    resolveDir: process.cwd(),
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  write: false,
  logLevel: 'warning',
});
const { withFieldTables, endpoints } = await import(`data:text/javascript;base64,${Buffer.from(outputFiles[0].text).toString('base64')}`);
writeFileSync('README.md', withFieldTables(readFileSync('README.md', 'utf8'), endpoints));
