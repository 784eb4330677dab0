/** The Node.js floor that bin/hire-import.js checks before loading the command. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nodeTooOld } from '../../src/nodeVersion.js';

const floor = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { engines: { node: string } }).engines.node;

describe('nodeTooOld', () => {
  it("refuses Debian 12's Node 18, naming both versions", () => {
    expect(floor).toBe('>=20.18.1');
    expect(nodeTooOld('18.19.0', floor)).toBe(
      'needs Node.js 20.18.1 or newer, and this is Node.js 18.19.0: ' +
        'install a current LTS release (https://nodejs.org, or nvm install --lts) and run it again',
    );
  });

  it('accepts the floor itself and anything newer', () => {
    for (const version of ['20.18.1', '20.19.0', '20.20.2', '22.0.0', '24.1.3']) expect(nodeTooOld(version, floor)).toBeUndefined();
  });

  it('refuses what is just below the floor, part by part', () => {
    for (const version of ['20.18.0', '20.17.9', '19.99.99', '16.20.2']) expect(nodeTooOld(version, floor)).toMatch(/^needs Node\.js 20\.18\.1/);
  });

  it('refuses nothing when the range has a shape it does not read', () => {
    expect(nodeTooOld('18.19.0', '^20.18.1 || >=22')).toBeUndefined();
  });
});
