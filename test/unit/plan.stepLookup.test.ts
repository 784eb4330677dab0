/** `{ step: NAME }` lookups: part of the mapping language, refused outside a plan, inside one a StepKey for the plan to resolve. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assessments } from '../../src/endpoints/assessments.js';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { prepare } from '../../src/import/records.js';
import { compileMapping, loadMapping, StepKey, takeStepKeys, withStepIds } from '../../src/map/mapping.js';

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

  it('stop a single import of a step no resource is named like before anything is read, saying to use { log: FILE }', async () => {
    const spec = await loadMapping(file('single.yaml', 'lookups:\n  interviews: { step: interviews }\nfields:\n  external_interview_id: { from: i, lookup: interviews }\n'));
    await expect(compileMapping(spec, { program: 'hire-import', endpoint: assessments, format: 'csv', header: ['i'], baseDir: dir })).rejects.toThrow(
      new ConfigError(
        'mapping lookups.interviews: { step: interviews } works outside a plan (hire-import migrate) only when it names a resource, whose log it reads; use { log: FILE } for a single import',
      ),
    );
  });

  it('inside a plan, leave the key where the id goes, validated as text, found by prepare and replaced by withStepIds', async () => {
    const spec = await loadMapping(file('plan.yaml', 'lookups:\n  interviews: { step: interviews }\nfields:\n  external_id: f\n  external_interview_id: { from: i, lookup: interviews }\n'));
    const mapper = await compileMapping(spec, { program: 'hire-import', endpoint: assessments, format: 'csv', header: ['f', 'i'], baseDir: dir, steps: true });
    expect(mapper.stepKeys).toBe(true);
    const record = { kind: 'record' as const, line: 2, fields: { f: 'F-1', i: ' I-1 ' }, raw: 'F-1, I-1 ' };
    expect(await mapper.map(record)).toMatchObject({ ok: true, candidate: { external_id: 'F-1', external_interview_id: new StepKey('interviews', 'I-1') } });
    const prepared = await prepare(record, mapper);
    expect(prepared).toEqual({
      ok: true,
      body: { external_id: 'F-1', external_interview_id: 'I-1' },
      local: {},
      externalId: 'F-1',
      stepKeys: [{ path: ['external_interview_id'], lookup: 'interviews', key: 'I-1' }],
    });
    if (!prepared.ok) throw new Error('expected a valid record');
    const sent = withStepIds(prepared.body, prepared.stepKeys!, ['7001']);
    expect([sent, prepared.body.external_interview_id]).toEqual([{ external_id: 'F-1', external_interview_id: '7001' }, 'I-1']);
  });

  it('find keys in nested objects and lists, and copy only the way to them', () => {
    const record = { a: { b: new StepKey('t', 'k1') }, list: [{ c: 1 }, { c: new StepKey('u', 'k2') }], other: { d: 1 } };
    const keys = takeStepKeys(record);
    expect(keys).toEqual([
      { path: ['a', 'b'], lookup: 't', key: 'k1' },
      { path: ['list', 1, 'c'], lookup: 'u', key: 'k2' },
    ]);
    expect(record).toEqual({ a: { b: 'k1' }, list: [{ c: 1 }, { c: 'k2' }], other: { d: 1 } });
    const sent = withStepIds(record, keys, ['id1', 'id2']);
    expect(sent).toEqual({ a: { b: 'id1' }, list: [{ c: 1 }, { c: 'id2' }], other: { d: 1 } });
    expect([sent.other === record.other, record.a.b]).toEqual([true, 'k1']);
  });
});
