import { describe, expect, it } from 'vitest';
import { assessments } from '../../src/endpoints/assessments.js';
import { ConfigError } from '../../src/errors.js';
import { defaultMapping, type Mapper, type MapResult } from '../../src/map/mapping.js';
import { openSource } from '../../src/read/source.js';
import { compile, mapOne, row } from './map.helpers.js';

const csv = { format: 'csv' as const, header: ['id', 'Interviewer name', 'score'], source: 'export.csv' };

describe('compileMapping', () => {
  it('stops on a name that is no column of the CSV header, suggesting the nearest and listing the columns', async () => {
    await expect(mapOne({ fields: { username: 'Interviewer' } }, {}, csv)).rejects.toThrow(
      new ConfigError("mapping fields.username: no column 'Interviewer' in export.csv; did you mean 'Interviewer name'? (columns: id, Interviewer name, score)"),
    );
    await expect(mapOne({ group: { by: 'ID' } }, {}, csv)).rejects.toThrow("mapping group.by: no column 'ID' in export.csv; did you mean 'id'?");
    await expect(mapOne({ dimensions: [{ each: 'rows', type: 'score', answer: 'scor' }] }, {}, csv)).rejects.toThrow(
      "mapping dimensions[0].answer: no column 'scor' in export.csv; did you mean 'score'?",
    );
    await expect(mapOne({ dimensions: [{ each: { from: 'score' }, type: 'score', answer: '$record.scor' }] }, {}, csv)).rejects.toThrow(
      "mapping dimensions[0].answer: no column 'scor' in export.csv",
    );
    await expect(mapOne({ fields: { content: 'notes' } }, {}, { ...csv, mappingFile: 'maps/m.yaml' })).rejects.toThrow(
      new ConfigError("maps/m.yaml: fields.content: no column 'notes' in export.csv (columns: id, Interviewer name, score)"),
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
    const mapper = await compile({ group: { by: 'id' }, input: { encoding: 'gbk', delimiter: ';' } }, { format: 'csv', header: ['id'] });
    expect(mapper.group).toEqual({ by: 'id' });
  });
});

describe('the default CSV layout', () => {
  const header = [
    'external_id', 'external_interview_id', 'username', 'conclusion', 'content', 'extra',
    ...[1, 2, 3].flatMap((n) => ['type', 'title', 'description', 'score', 'option', 'options', 'content'].map((part) => `dim${n}_${part}`)),
  ];

  it('is a mapping generated from the header: known columns only, dimensions in numeric order', () => {
    expect(defaultMapping(['external_id', 'dim10_score', 'dim2_type', 'dim2_options', 'dimX_title', 'notes'], assessments)).toEqual({
      fields: { external_id: 'external_id' },
      dimensions: [
        { omitWhen: 'empty', type: { from: 'dim2_type' }, options: { from: 'dim2_options', split: '|' } },
        { omitWhen: 'empty', score: { from: 'dim10_score' } },
      ],
    });
  });

  it('maps labels, splits options on |, and leaves out empty cells and all-empty dimensions', async () => {
    const mapper = await compile(undefined, { format: 'csv', header });
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
    expect(validated(mapper, result)).toEqual({
      ok: true,
      body: {
        external_id: 'A-1', external_interview_id: '698', conclusion: 2,
        assessment_dimension_list: [
          { assessment_type: 4, title: '亮点', options: ['算法', '沟通'] },
          { assessment_type: 1, score: 4 },
        ],
      },
      local: {},
    });
  });

  it('reports a typed dimension without its answer, as issue 2 asks, naming the column and the value', async () => {
    const mapper = await compile(undefined, { format: 'csv', header });
    const cells = Object.fromEntries(header.map((column) => [column, '']));
    const result = await mapper.map(row({ ...cells, external_interview_id: '1', dim2_type: 'score', dim2_title: 'Coding' }));
    expect(validated(mapper, result)).toEqual({
      ok: false,
      problems: [{ field: 'assessment_dimension_list[0].score', reason: 'is required for assessment_type 1' }],
    });
    const bad = await mapper.map(row({ ...cells, external_interview_id: '1', dim1_type: 'score', dim1_score: 'four' }));
    expect(validated(mapper, bad)).toEqual({
      ok: false,
      problems: [{ field: 'assessment_dimension_list[0].score', reason: "'four' is not an integer (from column dim1_score)" }],
    });
  });

  it('stops at the header, exit 2, when a CSV has none of its columns and there is no mapping', async () => {
    await expect(compile(undefined, { format: 'csv', header: ['姓名', '邮箱'], source: 'export.csv', file: 'in/export.csv' })).rejects.toThrow(
      new ConfigError(
        'export.csv has none of the columns of the default layout for assessments (external_id, external_interview_id, username, conclusion, ' +
          'content, dimN_type, dimN_title, dimN_description, dimN_score, dimN_option, dimN_content, dimN_options): ' +
          'run `hire-import init in/export.csv --resource assessments` to draft a mapping, then pass it with --mapping',
      ),
    );
  });

  it('maps the issue-2 sample file', async () => {
    const source = await openSource({ path: 'fixtures/assessments-with-errors.csv' });
    const mapper = await compile(undefined, { format: 'csv', header: source.header });
    const outcomes: string[] = [];
    for await (const item of source.items()) {
      if (item.kind === 'problem') continue;
      const result = validated(mapper, await mapper.map(item));
      const dimensions = result.ok ? (result.body.assessment_dimension_list as unknown[] | undefined) : undefined;
      outcomes.push(result.ok ? `${item.line} ok ${dimensions?.length ?? 0}` : `${item.line} ${result.problems.map((p) => p.field).join(',')}`);
    }
    expect(outcomes.slice(0, 10)).toEqual([
      '2 ok 2', '3 ok 3', '4 ok 2', '6 ok 1', '7 ok 2', '8 ok 1', '9 external_interview_id', '10 conclusion', '11 assessment_dimension_list[0].score', '12 ok 1',
    ]);
  });
});

function validated(mapper: Mapper, result: MapResult) {
  return result.ok ? mapper.validate(result) : result;
}
