import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import type { MappingSpec } from '../../src/map/mapping.js';
import { candidateOf, mapOne } from './map.helpers.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'map-lookup-'));
  writeFileSync(join(dir, 'interviews.csv'), 'legacy,feishu\nI-1, 701 \nI-2,702\n,703\n');
  writeFileSync(
    join(dir, 'earlier.results.jsonl'),
    [
      { external_id: 'I-1', status: 'created', id: '801', line: 2, at: 't' },
      { external_id: 'I-2', status: 'failed', line: 3, code: 1002001, at: 't' },
      { external_id: 'I-3', status: 'updated', id: '803', line: 4, at: 't' },
    ]
      .map((entry) => JSON.stringify(entry))
      .join('\n') + '\n{"external_id": "I-4", "sta',
  );
  writeFileSync(join(dir, 'conflict.csv'), 'legacy,feishu\nI-1,701\nI-1,799\n');
});

const through = (lookup: string): MappingSpec => ({
  lookups: {
    interviews: { file: 'interviews.csv', key: 'legacy', value: 'feishu' },
    earlier: { log: 'earlier.results.jsonl' },
  },
  fields: { external_interview_id: { from: 'interview', lookup } },
});

describe('lookups', () => {
  it('translate a key through a CSV table, relative to the mapping, matched trimmed', async () => {
    const result = await mapOne(through('interviews'), { interview: ' I-1' }, { baseDir: dir });
    expect(candidateOf(result)).toEqual({ external_interview_id: '701' });
  });

  it('refuse a key the table lacks, naming the lookup, the key, the file and the source', async () => {
    const result = await mapOne(through('interviews'), { interview: 'I-9' }, { baseDir: dir, format: 'csv', header: ['interview'] });
    expect(result).toMatchObject({
      ok: false,
      problems: [{ field: 'external_interview_id', reason: "'I-9' is not a key of lookup interviews in interviews.csv (from column interview)" }],
    });
  });

  it('translate through an earlier result log: created and updated records only, a torn last line ignored', async () => {
    expect(candidateOf(await mapOne(through('earlier'), { interview: 'I-1' }, { baseDir: dir }))).toEqual({ external_interview_id: '801' });
    expect(candidateOf(await mapOne(through('earlier'), { interview: 'I-3' }, { baseDir: dir }))).toEqual({ external_interview_id: '803' });
    const failed = await mapOne(through('earlier'), { interview: 'I-2' }, { baseDir: dir });
    expect(failed).toMatchObject({ ok: false, problems: [{ field: 'external_interview_id', reason: "'I-2' is not a key of lookup earlier in earlier.results.jsonl (from field interview)" }] });
  });

  it('stop at compile time on a missing file, a missing column, an unknown lookup or a key with two values', async () => {
    const spec = (lookups: MappingSpec['lookups'], lookup = 'table'): MappingSpec => ({ lookups, fields: { external_interview_id: { from: 'x', lookup } } });
    await expect(mapOne(spec({ table: { file: 'nope.csv', key: 'a', value: 'b' } }), {}, { baseDir: dir })).rejects.toThrow(
      new ConfigError(`mapping lookups.table: no file ${join(dir, 'nope.csv')}`),
    );
    await expect(mapOne(spec({ table: { file: 'interviews.csv', key: 'legacy_id', value: 'feishu' } }), {}, { baseDir: dir })).rejects.toThrow(
      "mapping lookups.table: no column 'legacy_id' in interviews.csv (columns: legacy, feishu)",
    );
    await expect(mapOne(spec({ table: { file: 'interviews.csv', key: 'legacy', value: 'feishu' } }, 'tabel'), {}, { baseDir: dir })).rejects.toThrow(
      "mapping fields.external_interview_id.lookup: no lookup 'tabel' (lookups: table)",
    );
    await expect(mapOne(spec({ table: { file: 'conflict.csv', key: 'legacy', value: 'feishu' } }), {}, { baseDir: dir })).rejects.toThrow(
      "mapping lookups.table: conflict.csv line 3: key 'I-1' maps to both '701' and '799'",
    );
  });
});
