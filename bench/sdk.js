/**
 * The official Feishu SDK, which the benchmark compares hire-import with. It is installed on first use into
 * .bench/sdk at a pinned version, not a dependency of the package: every `npm ci` would otherwise fetch it and
 * warn about the install script of its protobufjs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const SDK_NAME = '@larksuiteoapi/node-sdk';
const SDK_VERSION = '1.74.0';
const prefix = fileURLToPath(new URL('../.bench/sdk/', import.meta.url));

/** Installs the pinned SDK into .bench/sdk unless that version is there already. */
export function ensureSdk() {
  const manifest = `${prefix}node_modules/${SDK_NAME}/package.json`;
  if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).version === SDK_VERSION) return;
  process.stderr.write(`sdk: installing ${SDK_NAME}@${SDK_VERSION} into .bench/sdk (once)...\n`);
  execFileSync(
    'npm',
    ['install', '--prefix', prefix, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--loglevel=error', `${SDK_NAME}@${SDK_VERSION}`],
    { stdio: 'inherit' },
  );
}

/** The SDK module, from .bench/sdk. */
export function loadSdk() {
  return createRequire(`${prefix}noop.js`)(SDK_NAME);
}
