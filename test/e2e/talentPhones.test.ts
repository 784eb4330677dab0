/**
 * Talents found by their mobile as people write it, end to end against the sandbox answering as the docs say: its
 * look-up matches only digits and only under the talent's own dialling code (1002009 for anything else). Talents
 * already in Feishu under +1, +852 and +86 are matched, not created again; a number that is no phone number is a
 * problem of its line (the good rows around it go); a mobile Feishu refuses as malformed makes its record invalid.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Sandbox, SandboxOptions } from '../../src/sandbox/server.js';
import { credentialEnv, readLog, runCli, stateLog, workspace } from '../support/cli.js';
import { sandboxSession } from '../support/sandboxSession.js';

const session = sandboxSession();
let sandbox: Sandbox | undefined;

async function sandboxOn(options: SandboxOptions = {}): Promise<Sandbox> {
  sandbox = await session.start(options);
  return sandbox;
}

/** Already in Feishu, as Feishu keeps them: digits, under their location's dialling code. */
const existing = [
  { name: 'Ada Park', mobile: '4155550100', mobile_country_code: 'US_1' },
  { name: '陈大文', mobile: '91234567', mobile_country_code: 'HK_1' },
  { name: '王思远', mobile: '13800138000' },
  { name: '李晓彤', mobile: '13800138001' },
];

const mapping = 'fields:\n  external_id: id\n  basic_info.name: name\n  basic_info.mobile: phone\n';

function importTalents(folder: string, rows: string[], extraMapping = '') {
  writeFileSync(join(folder, 'candidates.csv'), ['id,name,phone', ...rows].join('\n') + '\n');
  writeFileSync(join(folder, 'talents.yaml'), extraMapping + mapping);
  return runCli(['talents', 'candidates.csv', '-m', 'talents.yaml', '--json'], { cwd: folder, env: credentialEnv(sandbox!.url) });
}

describe('talents looked up by mobile', () => {
  it('matches talents already in Feishu under +1, +852 and +86 however the number is written, and creates only the new ones, with digits', async () => {
    await sandboxOn({ talents: existing });
    const folder = workspace();
    const run = await importTalents(folder, [
      'C1,Ada Park,+1 (415) 555-0100',
      'C2,陈大文,+852 9123 4567',
      'C3,王思远,138 0013 8000',
      'C4,李晓彤,0086 13800138001',
      'C5,刘洋,+86 139-1234-0005',
      'C6,Bo Chen,+852 6123 4567',
      'C7,No Phone,12345',
    ]);
    expect(run.code).toBe(1);
    const summary = JSON.parse(run.stdout);
    expect(summary.counts).toMatchObject({ read: 7, matched: 4, created: 2, invalid: 1, failed: 0 });
    const log = new Map(readLog(stateLog(folder, sandbox!.url, 'talents')).map((line) => [line.external_id, line]));
    const seeded = sandbox!.records('talents').slice(0, existing.length).map((record) => record.id);
    expect(['C1', 'C2', 'C3', 'C4'].map((id) => [log.get(id)!.status, log.get(id)!.id])).toEqual(seeded.map((id) => ['matched', id]));
    // Created with the national number's digits; nothing twice.
    const created = sandbox!.records('talents').slice(existing.length).map((record) => record.body.basic_info as { name: string });
    expect(created.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: 'Bo Chen', mobile: '61234567' },
      { name: '刘洋', mobile: '13912340005' },
    ]);
    // The number that is none: a problem of its line and field, never a look-up; the rows around it went.
    expect(log.get('C7')).toMatchObject({ status: 'invalid', line: 8, field: 'basic_info.mobile' });
    expect(log.get('C7')!.msg).toContain("'12345' is not a phone number");
    expect(readFileSync(join(folder, 'candidates.rejects.csv'), 'utf8')).toContain('C7,No Phone,12345');
    expect(sandbox!.stats().byResource.talents!.invalid).toBe(0); // the sandbox never saw a malformed mobile
  });

  it('reads numbers without +code in the mapping’s input.phone_region', async () => {
    await sandboxOn({ talents: existing });
    const folder = workspace();
    const run = await importTalents(folder, ['C1,Ada Park,(415) 555-0100', 'C2,王思远,+86 138 0013 8000'], 'input:\n  phone_region: US\n');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).counts).toMatchObject({ matched: 2, created: 0 });
  });

  it('names the mapping and the setting when input.phone_region is no region', async () => {
    await sandboxOn();
    const run = await importTalents(workspace(), ['C1,Ada,+1 415 555 0100'], 'input:\n  phone_region: ZZ\n');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('input.phone_region');
    expect(run.stderr).toContain('"ZZ" is not a region phone numbers are known for');
  });
});
