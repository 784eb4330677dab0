import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { compileMapping, defaultMapping, validateMapped, type MapResult } from '../../src/map/mapping.js';
import { openSource } from '../../src/read/source.js';
import { mapOne, row } from './map.helpers.js';

const csv = { format: 'csv' as const, header: ['id', 'Interviewer name', 'score'], source: 'export.csv' };

describe('compileMapping', () => {
  it('stops on a name that is no column of the CSV header, listing the columns', async () => {
    await expect(mapOne({ fields: { username: 'Interviewer' } }, {}, csv)).rejects.toThrow(
      new ConfigError("mapping fields.username: no column 'Interviewer' in export.csv (columns: id, Interviewer name, score)"),
    );
    await expect(mapOne({ group: { by: 'ID' } }, {}, csv)).rejects.toThrow("mapping group.by: no column 'ID' in export.csv");
    await expect(mapOne({ dimensions: [{ each: 'rows', type: 'score', answer: 'scor' }] }, {}, csv)).rejects.toThrow(
      "mapping dimensions[0].answer: no column 'scor' in export.csv",
    );
    await expect(mapOne({ dimensions: [{ each: { from: 'score' }, type: 'score', answer: '$record.scor' }] }, {}, csv)).rejects.toThrow(
      "mapping dimensions[0].answer: no column 'scor' in export.csv",
    );
  });

  it('stops on a JSONata syntax error, naming where it is', async () => {
    await expect(mapOne({ fields: { content: { expr: '$join(notes' } } }, {})).rejects.toThrow(/^mapping fields\.content\.expr: invalid JSONata expression: .* \(at character \d+\)$/);
    await expect(mapOne({ dimensions: [{ each: { expr: 'a[' }, type: 'text', answer: 'b' }] }, {})).rejects.toThrow(/^mapping dimensions\[0\]\.each\.expr: invalid JSONata/);
  });

  it('passes JSONL records through as request bodies when there is no mapping', async () => {
    const body = { external_interview_id: '1', conclusion: 2, assessment_dimension_list: [{ assessment_type: 3, content: 'x' }] };
    expect(await mapOne(undefined, body)).toEqual({ ok: true, candidate: body, sources: {} });
  });

  it('carries the mapping file’s group', async () => {
    const mapper = await compileMapping({ group: { by: 'id' }, input: { encoding: 'gbk', delimiter: ';' } }, { format: 'csv', header: ['id'], baseDir: '.' });
    expect(mapper.group).toEqual({ by: 'id' });
  });
});

describe('the default CSV layout', () => {
  const header = [
    'external_id', 'external_interview_id', 'username', 'conclusion', 'content', 'extra',
    ...[1, 2, 3].flatMap((n) => ['type', 'title', 'description', 'score', 'option', 'options', 'content'].map((part) => `dim${n}_${part}`)),
  ];

  it('is a mapping generated from the header: known columns only, dimensions in numeric order', () => {
    expect(defaultMapping(['external_id', 'dim10_score', 'dim2_type', 'dim2_options', 'dimX_title', 'notes'])).toEqual({
      fields: { external_id: 'external_id' },
      dimensions: [
        { omitWhen: 'empty', type: { from: 'dim2_type' }, options: { from: 'dim2_options', split: '|' } },
        { omitWhen: 'empty', score: { from: 'dim10_score' } },
      ],
    });
  });

  it('maps labels, splits options on |, and leaves out empty cells and all-empty dimensions', async () => {
    const mapper = await compileMapping(undefined, { format: 'csv', header, baseDir: '.' });
    const cells = (values: Record<string, string>) => Object.fromEntries(header.map((column) => [column, values[column] ?? '']));
    const result = await mapper.map(
      row(
        cells({
          external_id: 'A-1', external_interview_id: '698', conclusion: '通过', extra: 'ignored',
          dim1_type: '多选题', dim1_title: '亮点', dim1_options: '算法| 沟通 |',
          dim3_type: 'score', dim3_score: '4',
        }),
      ),
    );
    expect(validated(result)).toEqual({
      ok: true,
      body: {
        external_id: 'A-1', external_interview_id: '698', conclusion: 2,
        assessment_dimension_list: [
          { assessment_type: 4, title: '亮点', options: ['算法', '沟通'] },
          { assessment_type: 1, score: 4 },
        ],
      },
    });
  });

  it('reports a typed dimension without its answer, as issue 2 asks, naming the column', async () => {
    const mapper = await compileMapping(undefined, { format: 'csv', header, baseDir: '.' });
    const cells = Object.fromEntries(header.map((column) => [column, '']));
    const result = await mapper.map(row({ ...cells, external_interview_id: '1', dim2_type: 'score', dim2_title: 'Coding' }));
    expect(validated(result)).toMatchObject({
      ok: false,
      problems: [{ field: 'assessment_dimension_list[0].score', reason: 'is required for assessment_type 1' }],
    });
    const bad = await mapper.map(row({ ...cells, external_interview_id: '1', dim1_type: 'score', dim1_score: 'four' }));
    expect(validated(bad)).toMatchObject({
      ok: false,
      problems: [{ field: 'assessment_dimension_list[0].score', reason: 'must be an integer (from column dim1_score)' }],
    });
  });

  it('maps the issue-2 sample file', async () => {
    const source = await openSource({ path: 'fixtures/assessments-with-errors.csv' });
    const mapper = await compileMapping(undefined, { format: 'csv', header: source.header, baseDir: '.' });
    const outcomes: string[] = [];
    for await (const item of source.items()) {
      if (item.kind === 'problem') continue;
      const result = validated(await mapper.map(item));
      outcomes.push(result.ok ? `${item.line} ok ${result.body.assessment_dimension_list?.length ?? 0}` : `${item.line} ${result.problems.map((p) => p.field).join(',')}`);
    }
    expect(outcomes.slice(0, 10)).toEqual([
      '2 ok 2', '3 ok 3', '4 ok 2', '6 ok 1', '7 ok 2', '8 ok 1', '9 external_interview_id', '10 conclusion', '11 assessment_dimension_list[0].score', '12 ok 1',
    ]);
  });
});

function validated(result: MapResult) {
  if (!result.ok) return result;
  return validateMapped(result);
}
