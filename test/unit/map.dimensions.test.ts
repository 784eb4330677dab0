import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { groupRows } from '../../src/map/group.js';
import type { SourceItem, SourceRecord } from '../../src/read/source.js';
import { candidateOf, compile, mapOne, row } from './map.helpers.js';

async function* stream(items: SourceItem[]): AsyncIterable<SourceItem> {
  yield* items;
}

async function firstRecord(items: AsyncIterable<SourceItem>): Promise<SourceRecord> {
  for await (const item of items) if (item.kind === 'record') return item;
  throw new Error('no record');
}

describe('dimensions', () => {
  it('builds one dimension per entry, left out when its answer is absent', async () => {
    const spec = {
      dimensions: [
        { type: 'score' as const, title: { value: '专业能力' }, score: 'pro' },
        { type: 'score' as const, title: { value: '沟通能力' }, answer: 'talk' },
      ],
    };
    const result = await mapOne(spec, { pro: '4', talk: '' }, { format: 'csv', header: ['pro', 'talk'] });
    expect(result).toEqual({
      ok: true,
      candidate: { assessment_dimension_list: [{ assessment_type: 1, title: '专业能力', score: '4' }] },
      sources: { 'assessment_dimension_list[0].score': 'column pro' },
    });
    expect(candidateOf(await mapOne(spec, { pro: '', talk: '' }))).toEqual({});
  });

  it('puts the answer where its type needs it', async () => {
    const dimensions = (['score', 'single', 'text', 'multi'] as const).map((type) => ({ type, title: { value: type }, answer: type }));
    const result = await mapOne({ dimensions }, { score: 5, single: 'B', text: 42, multi: 'a | b|' });
    expect(candidateOf(result).assessment_dimension_list).toEqual([
      { assessment_type: 1, title: 'score', score: 5 },
      { assessment_type: 2, title: 'single', option: 'B' },
      { assessment_type: 3, title: 'text', content: '42' },
      { assessment_type: 4, title: 'multi', options: ['a', 'b'] },
    ]);
    const list = await mapOne({ dimensions: [{ type: 4, answer: 'picked' }] }, { picked: ['x', 'y'] });
    expect(candidateOf(list).assessment_dimension_list).toEqual([{ assessment_type: 4, options: ['x', 'y'] }]);
  });

  it('refuses an answer whose type is unknown, on assessment_type, naming the value and the types', async () => {
    const result = await mapOne({ dimensions: [{ type: { from: 'kind' }, answer: 'value' }] }, { kind: 'essay', value: 'x' });
    expect(result).toMatchObject({
      ok: false,
      problems: [{ field: 'assessment_dimension_list[0].assessment_type', reason: "'essay' is not one of 1 打分题 score, 2 单选题 single, 3 描述题 text, 4 多选题 multi" }],
    });
  });

  it('needs a type to place an answer, and a type the description knows', async () => {
    await expect(mapOne({ dimensions: [{ answer: 'x' }] }, {})).rejects.toThrow(new ConfigError('mapping dimensions[0]: answer needs a type, to know which field it goes in'));
    await expect(mapOne({ dimensions: [{ type: 'essay', answer: 'x' }] }, {}, { mappingFile: 'm.yaml' })).rejects.toThrow(
      new ConfigError("m.yaml: dimensions[0].type: 'essay' is not one of 1 打分题 score, 2 单选题 single, 3 描述题 text, 4 多选题 multi"),
    );
  });

  it('checks element keys against the list’s description, suggesting the nearest', async () => {
    await expect(mapOne({ dimensions: [{ type: 'score', titel: 'x', answer: 'y' }] }, {}, { mappingFile: 'm.yaml' })).rejects.toThrow(
      new ConfigError("m.yaml: dimensions[0].titel: not a field of assessment_dimension_list elements (did you mean 'title'?)"),
    );
    await expect(mapOne({ dimensions: [{ type: 'score', anwser: 'y' }] }, {})).rejects.toThrow(
      new ConfigError("mapping dimensions[0].anwser: not a field of assessment_dimension_list elements (did you mean 'answer'?)"),
    );
  });

  it('repeats an entry for each column matching a pattern, the title from a named group', async () => {
    const header = ['id', 'coding_score', 'design_score', 'notes'];
    const result = await mapOne(
      { dimensions: [{ each: { columns: '^(?<title>.+)_score$' }, type: 'score', title: 'title', answer: 'value' }] },
      { id: '1', coding_score: '4', design_score: '', notes: 'n' },
      { format: 'csv', header },
    );
    expect(result).toEqual({
      ok: true,
      candidate: { assessment_dimension_list: [{ assessment_type: 1, title: 'coding', score: '4' }] },
      sources: { 'assessment_dimension_list[0].title': 'title of column coding_score', 'assessment_dimension_list[0].score': 'column coding_score' },
    });
  });

  it('combines columns that differ only in the `field` group into one element', async () => {
    const header = ['专业能力评分', '专业能力评语', '沟通能力评分', '沟通能力评语'];
    const result = await mapOne(
      { dimensions: [{ each: { columns: '^(?<title>.+?)(?<field>评分|评语)$' }, type: 'score', title: 'title', answer: '评分', description: '评语' }] },
      { 专业能力评分: '4', 专业能力评语: '扎实', 沟通能力评分: '3', 沟通能力评语: '' },
      { format: 'csv', header },
    );
    expect(candidateOf(result).assessment_dimension_list).toEqual([
      { assessment_type: 1, title: '专业能力', score: '4', description: '扎实' },
      { assessment_type: 1, title: '沟通能力', score: '3' },
    ]);
  });

  it('stops at compile time when a pattern matches no column or an element key is misspelt', async () => {
    const context = { format: 'csv' as const, header: ['a_score'], source: 'export.csv' };
    await expect(mapOne({ dimensions: [{ each: { columns: '_rating$' }, type: 'score', answer: 'value' }] }, {}, context)).rejects.toThrow(
      "mapping dimensions[0].each.columns: no column of export.csv matches /_rating$/ (columns: a_score)",
    );
    await expect(mapOne({ dimensions: [{ each: { columns: '_score$' }, type: 'score', answer: 'valeu' }] }, {}, context)).rejects.toThrow(
      "mapping dimensions[0].answer: elements of dimensions[0].each have no 'valeu' (they have: column, title, value)",
    );
  });

  it('repeats an entry for each item of a JSON array, by path or by JSONata, reading $record too', async () => {
    const record = {
      interviewer: 'Grace',
      scorecard: { attributes: [{ name: 'Coding', rating: 4 }, { name: 'Design', rating: null }] },
      questions: [
        { q: 'Team', type: 'dropdown', a: 'Platform' },
        { q: 'Tags', type: 'multiple-select', a: ['x', 'y'] },
        { q: 'Notes', type: 'textarea', a: 'ok' },
      ],
    };
    const result = await mapOne(
      {
        dimensions: [
          { each: { expr: 'scorecard.attributes[rating != null]' }, type: 'score', title: 'name', answer: 'rating', description: { expr: "'by ' & $record.interviewer" } },
          { each: { from: 'questions' }, type: { from: 'type', map: { dropdown: 2, 'multiple-select': 4, textarea: 3 } }, title: 'q', answer: 'a', description: '$record.interviewer' },
        ],
      },
      record,
    );
    expect(result).toMatchObject({
      ok: true,
      candidate: {
        assessment_dimension_list: [
          { assessment_type: 1, title: 'Coding', score: 4, description: 'by Grace' },
          { assessment_type: 2, title: 'Team', option: 'Platform', description: 'Grace' },
          { assessment_type: 4, title: 'Tags', options: ['x', 'y'], description: 'Grace' },
          { assessment_type: 3, title: 'Notes', content: 'ok', description: 'Grace' },
        ],
      },
      sources: { 'assessment_dimension_list[1].option': 'field a, item 1 of questions', 'assessment_dimension_list[0].score': 'field rating, item 1 of scorecard.attributes[rating != null]' },
    });
  });

  it('names the item whose value is refused', async () => {
    const result = await mapOne(
      { dimensions: [{ each: { from: 'questions' }, type: { from: 'type', map: { text: 3 } }, answer: 'a' }] },
      { questions: [{ type: 'text', a: 'fine' }, { type: 'rating', a: 3 }] },
    );
    expect(result).toMatchObject({
      ok: false,
      problems: [{ field: 'assessment_dimension_list[1].assessment_type', reason: "'rating' is not in the map: text (from field type, item 2 of questions)" }],
    });
  });

  it('repeats an entry for each row of a group, naming the row line in problems', async () => {
    const header = ['id', 'kind', 'title', 'answer'];
    const mapper = await compile(
      {
        group: { by: 'id' },
        fields: { external_id: 'id', content: { expr: "$join($rows.title, ', ')" } },
        dimensions: [{ each: 'rows', type: { from: 'kind', map: { rating: 'score', comment: 'text' } }, title: 'title', answer: 'answer' }],
      },
      { format: 'csv', header },
    );
    const rows = [
      row({ id: 'A', kind: 'rating', title: 'Coding', answer: '4' }, 2),
      row({ id: 'A', kind: 'comment', title: 'Summary', answer: '' }, 3),
      row({ id: 'A', kind: 'poll', title: 'Level', answer: 'P6' }, 4),
    ];
    const grouped = await firstRecord(groupRows(stream(rows), 'id'));
    expect(await mapper.map(grouped)).toMatchObject({
      ok: false,
      problems: [{ field: 'assessment_dimension_list[1].assessment_type', reason: "'poll' is not in the map: rating, comment (from column kind, line 4)" }],
    });
    const good = await firstRecord(groupRows(stream(rows.slice(0, 2)), 'id'));
    expect(await mapper.map(good)).toEqual({
      ok: true,
      candidate: { external_id: 'A', content: 'Coding, Summary', assessment_dimension_list: [{ assessment_type: 1, title: 'Coding', score: '4' }] },
      sources: {
        external_id: 'column id',
        content: 'expression $join($rows.title, \', \')',
        'assessment_dimension_list[0].assessment_type': 'column kind, line 2',
        'assessment_dimension_list[0].title': 'column title, line 2',
        'assessment_dimension_list[0].score': 'column answer, line 2',
      },
    });
  });

  it('with omitWhen: empty keeps a dimension that has any value read from the source', async () => {
    const spec = { dimensions: [{ type: { from: 't' }, title: 't2', score: 's', omitWhen: 'empty' as const }] };
    expect(candidateOf(await mapOne(spec, { t: 'score', t2: 'Coding', s: '' })).assessment_dimension_list).toEqual([{ assessment_type: 1, title: 'Coding' }]);
    expect(candidateOf(await mapOne(spec, { t: '', t2: '', s: '' }))).toEqual({});
  });
});
