/**
 * The npm package as a user gets it: `npm pack` of a copy of the project (its `prepack` builds it), a global install
 * of that tarball into a temporary prefix, and the Quick start's import run by the installed `hire-import` against
 * --sandbox. The bundle inlines every package it uses, so the package declares no dependencies and the install
 * fetches nothing: the commands below run with nothing but the tarball's files installed.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/cli.js';

const run = promisify(execFile);
const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
/** What a developer's checkout has that a fresh clone does not; the package must not depend on any of it. */
const NOT_IN_A_CLONE = new Set(['node_modules', 'dist', '.git', '.bench', 'coverage']);

describe('the npm package', () => {
  it('packs, installs globally from the tarball, and imports the Quick start fixture into the sandbox', async () => {
    const root = mkdtempSync(join(tmpdir(), 'hire-import-package-'));
    try {
      await packInstallAndRun(root);
    } finally {
      rmSync(root, { recursive: true, force: true }); // an install is tens of megabytes
    }
  }, 240_000);
});

async function packInstallAndRun(root: string): Promise<void> {
  const clone = join(root, 'clone');
  cpSync(repoRoot, clone, { recursive: true, filter: (path) => !NOT_IN_A_CLONE.has(relative(repoRoot, path).split(/[\\/]/)[0]!) });
  symlinkSync(join(repoRoot, 'node_modules'), join(clone, 'node_modules')); // for the build that `prepack` runs
  mkdirSync(join(root, 'pack'));
  const npm = { cwd: clone, env: { ...process.env, npm_config_update_notifier: 'false' }, maxBuffer: 16 * 1024 * 1024 };

  const packed = await run('npm', ['pack', '--pack-destination', join(root, 'pack'), '--json'], npm);
  const [tarball] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
  const files = tarball!.files.map((file) => file.path);
  expect(files.filter((path) => !path.startsWith('dist/')).sort()).toEqual([
    'LICENSE',
    'README.md',
    'bin/hire-import.js',
    'package.json',
    'schema/mapping.schema.json',
  ]);
  expect(files).toContain('dist/cli.js');
  expect(files).toContain('dist/nodeVersion.js');
  expect(files).toContain('dist/sandbox/server.js');
  expect(files).toContain('dist/THIRD-PARTY-LICENSES.md'); // the bundle inlines the dependencies: their notices ship with it
  expect(files.filter((path) => path.endsWith('.map') || path.endsWith('.ts'))).toEqual([]);
  const packedManifest = JSON.parse(readFileSync(join(clone, 'package.json'), 'utf8'));
  expect(packedManifest).toMatchObject({
    license: 'MIT',
    repository: { url: 'git+https://github.com/hire-import/hire-import.git' },
    homepage: 'https://github.com/hire-import/hire-import#readme',
    bugs: { url: 'https://github.com/hire-import/hire-import/issues' },
  });

  const prefix = join(root, 'prefix');
  const installed = await run('npm', ['install', '--global', '--prefix', prefix, '--no-audit', '--no-fund', '--prefer-offline', join(root, 'pack', tarball!.filename)], npm);
  // No script of the package waits for approval (a `prepare` would: it cannot run there).
  expect(installed.stderr).not.toMatch(/install-scripts/);
  // Nothing beside the package: a package the bundle left outside would fail the commands below.
  expect(existsSync(join(prefix, 'lib', 'node_modules', 'hire-import', 'node_modules'))).toBe(false);

  const work = join(root, 'work');
  mkdirSync(work);
  cpSync(join(repoRoot, 'fixtures/assessments.csv'), join(work, 'assessments.csv'));
  const bin = join(prefix, 'bin', 'hire-import');
  const clean = { cwd: work, env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1' } };
  const imported = await run(bin, ['assessments', 'assessments.csv', '--sandbox', '--json', '--rate', '200'], clean);
  expect(JSON.parse(imported.stdout)).toMatchObject({ ok: true, exitCode: 0, counts: { read: 7, created: 7, invalid: 0, failed: 0 } });

  // init's $schema names this version's schema by URL, and the package holds the file at that path.
  await run(bin, ['init', 'assessments.csv'], clean);
  const mapping = readFileSync(join(work, 'assessments.mapping.yaml'), 'utf8');
  const schemaUrl = `https://unpkg.com/hire-import@${manifest.version}/schema/mapping.schema.json`;
  expect(mapping.split('\n')[0]).toBe(`# yaml-language-server: $schema=${schemaUrl}`);
  const shipped = join(prefix, 'lib', 'node_modules', 'hire-import', 'schema', 'mapping.schema.json');
  expect(readFileSync(shipped, 'utf8')).toBe(readFileSync(join(repoRoot, 'schema/mapping.schema.json'), 'utf8'));
}
