/**
 * The build: src/ bundled by esbuild into dist/, the dependencies inlined (all under permissive licences: MIT, ISC,
 * BSD, Apache-2.0, BlueOak, Unlicense; their notices go to dist/THIRD-PARTY-LICENSES.md), so that starting the CLI
 * reads a few files instead of some hundreds. dist/nodeVersion.js stays a file of its own: bin/ imports it before anything else.
 * Each command's code stays in chunks loaded when the command runs: one single file would make --version parse all
 * of it (BENCHMARKS.md §9). Every package the bundle inlines is a devDependency: the published package declares none,
 * so installing it fetches nothing (test/e2e/package.test.ts installs it so).
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist', { recursive: true, force: true });
const { metafile } = await build({
  // The sandbox and the result log are imported by bench/ from the build, as a user's script may import the sandbox.
  entryPoints: ['src/cli.ts', 'src/nodeVersion.ts', 'src/sandbox/server.ts', 'src/log/resultLog.ts'],
  outbase: 'src',
  outdir: 'dist',
  bundle: true,
  splitting: true,
  // Chunks beside the entry points: src/version.ts finds package.json one folder up from wherever it lands.
  chunkNames: '[name]-[hash]',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
  // The CommonJS dependencies require Node's modules; an ES module has no require of its own.
  banner: { js: "import { createRequire as __hireImportRequire } from 'node:module'; const require = __hireImportRequire(import.meta.url);" },
});

// Every package whose code is in the bundle, with its licence text.
const packages = new Set();
for (const input of Object.keys(metafile.inputs)) {
  const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (match) packages.add(input.slice(0, match.index + match[0].length));
}
const notices = [...packages].sort().map((folder) => {
  const { name, version, license } = JSON.parse(readFileSync(`${folder}package.json`, 'utf8'));
  const file = readdirSync(folder).find((entry) => /^(licen[cs]e|copying)(\.|$)/i.test(entry));
  const text = file && existsSync(`${folder}${file}`) ? readFileSync(`${folder}${file}`, 'utf8').trim() : `${license} (no licence file in the package)`;
  return `## ${name} ${version} (${license})\n\n${text}\n`;
});
writeFileSync('dist/THIRD-PARTY-LICENSES.md', `# Code from other packages in this bundle\n\n${notices.join('\n')}`);
