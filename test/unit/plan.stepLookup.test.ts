/** `{ step: NAME }` lookups: part of the mapping language, refused outside a plan. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assessments } from '../../src/endpoints/assessments.js';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { compileMapping, loadMapping } from '../../src/map/mapping.js';

const dir = mkdtempSync(join(tmpdir(), 'step-lookup-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('{ step } lookups', () => {
  it('load as a third kind of lookup', async () => {
    const path = file('m.yaml', 'lookups:\n  interviews: { step: interviews }\nfields:\n  external_interview_id: { from: 面试编号, lookup: interviews }\n');
    expect(await loadMapping(path)).toEqual({
      lookups: { interviews: { step: 'interviews' } },
      fields: { external_interview_id: { from: '面试编号', lookup: 'interviews' } },
    });
  });

  it('refuse an empty name and a step mixed with another kind', async () => {
    await expect(loadMapping(file('empty.yaml', 'lookups:\n  i: { step: "" }\n'))).rejects.toThrow(
      new ConfigError('empty.yaml: lookups.i.step: Too small: expected string to have >=1 characters'),
    );
    await expect(loadMapping(file('mixed.yaml', 'lookups:\n  i: { step: interviews, log: i.jsonl }\n'))).rejects.toThrow(
      new ConfigError('mixed.yaml: lookups.i: expected { file, key, value }, { log } or { step }'),
    );
  });

  it('stop a single import before anything is read, saying to use { log: FILE }', async () => {
    const spec = await loadMapping(file('single.yaml', 'lookups:\n  interviews: { step: interviews }\nfields:\n  external_interview_id: { from: i, lookup: interviews }\n'));
    await expect(compileMapping(spec, { endpoint: assessments, format: 'csv', header: ['i'], baseDir: dir })).rejects.toThrow(
      new ConfigError(
        'mapping lookups.interviews: { step: interviews } works only inside a plan (hire-import migrate); use { log: FILE } for a single import',
      ),
    );
  });
});
