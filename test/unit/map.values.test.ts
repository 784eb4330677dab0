import { describe, expect, it } from 'vitest';
import { candidateOf, compile, mapOne, row } from './map.helpers.js';

describe('value specs', () => {
  it('reads a column by name, a dotted path, and a column whose name has dots', async () => {
    const result = await mapOne(
      { fields: { external_id: 'id', username: 'interviewer.name', content: 'Q1. Notes' } },
      { id: 'a-1', interviewer: { name: 'Grace' }, 'Q1. Notes': 'fine' },
    );
    expect(candidateOf(result)).toEqual({ external_id: 'a-1', username: 'Grace', content: 'fine' });
  });

  it('takes JSON numbers as text where the API wants text', async () => {
    const result = await mapOne(
      { fields: { external_id: 'id', conclusion: 'verdict' }, dimensions: [{ type: 'multi', title: 'q', options: 'picked' }, { type: 'single', answer: 'level' }] },
      { id: 90001, verdict: 2, q: 7, picked: [1, 'two'], level: 6 },
    );
    expect(candidateOf(result)).toEqual({
      external_id: '90001',
      conclusion: 2,
      assessment_dimension_list: [
        { assessment_type: 4, title: '7', options: ['1', 'two'] },
        { assessment_type: 2, option: '6' },
      ],
    });
  });

  it('takes constants as a number shorthand or { value }', async () => {
    const result = await mapOne({ fields: { conclusion: 2, username: { value: 'importer' } } }, {});
    expect(candidateOf(result)).toEqual({ conclusion: 2, username: 'importer' });
  });

  it('evaluates JSONata over the record', async () => {
    const result = await mapOne(
      { fields: { content: { expr: "$join([summary, remarks][$ != ''], '\n')" }, external_id: { expr: "'gh-' & $string(id)" } } },
      { id: 7, summary: 'good', remarks: '' },
    );
    expect(candidateOf(result)).toEqual({ content: 'good', external_id: 'gh-7' });
  });

  it('turns "4 - Strong Hire" into 4 with an expression or a map', async () => {
    const result = await mapOne(
      {
        fields: { conclusion: { from: 'rating', map: { '4 - Strong Hire': 2, '1 - Strong No Hire': 1 } } },
        dimensions: [{ type: 'score', title: { value: 'Overall' }, score: { expr: "$number($substringBefore(rating, ' '))" } }],
      },
      { rating: '4 - Strong Hire' },
    );
    expect(candidateOf(result)).toEqual({ conclusion: 2, assessment_dimension_list: [{ assessment_type: 1, title: 'Overall', score: 4 }] });
  });

  it('refuses a record whose expression fails, naming the expression', async () => {
    const result = await mapOne({ fields: { content: { expr: '$number(rating)' } } }, { rating: 'great' });
    expect(result).toMatchObject({ ok: false, problems: [{ field: 'content', reason: expect.stringMatching(/cast.*\(from expression \$number\(rating\)\)$/) }] });
  });

  it('maps values trimmed and case-insensitively', async () => {
    const spec = { fields: { conclusion: { from: 'rec', map: { Strong_Yes: 2, no: 1 } } } };
    expect(candidateOf(await mapOne(spec, { rec: ' strong_yes ' }))).toEqual({ conclusion: 2 });
    expect(candidateOf(await mapOne(spec, { rec: 'NO' }))).toEqual({ conclusion: 1 });
  });

  it('refuses a value not in the map, listing the keys and the source', async () => {
    const result = await mapOne(
      { fields: { conclusion: { from: 'rec', map: { strong_yes: 2, yes: 2, no: 1 } } } },
      { rec: 'maybe' },
      { format: 'csv', header: ['rec'] },
    );
    expect(result).toMatchObject({
      ok: false,
      problems: [{ field: 'conclusion', reason: "'maybe' is not in the map: strong_yes, yes, no (from column rec)" }],
    });
  });

  it('gives a value not in the map the default when there is one', async () => {
    const result = await mapOne({ fields: { conclusion: { from: 'rec', map: { yes: 2 }, default: 3 } } }, { rec: 'maybe' });
    expect(candidateOf(result)).toEqual({ conclusion: 3 });
  });

  it('treats empty, null and missing as absent: the default, or the field left out', async () => {
    const spec = { fields: { conclusion: { from: 'rec', map: { yes: 2 }, default: 3 }, username: 'who', content: 'notes' } };
    for (const fields of [{ rec: '', who: null }, { rec: null }, {}]) {
      expect(candidateOf(await mapOne(spec, fields))).toEqual({ conclusion: 3 });
    }
  });

  it('leaves a field out when the map says null', async () => {
    const result = await mapOne({ fields: { conclusion: { from: 'rec', map: { yes: 2, 'n/a': null }, default: 3 } } }, { rec: 'N/A' });
    expect(candidateOf(result)).toEqual({});
  });

  it('trims unless told to keep the white space, so a blank cell counts as absent', async () => {
    expect(candidateOf(await mapOne({ fields: { username: 'who' } }, { who: '  Ada ' }))).toEqual({ username: 'Ada' });
    expect(candidateOf(await mapOne({ fields: { username: { from: 'who', trim: false } } }, { who: '  Ada ' }))).toEqual({ username: '  Ada ' });
    expect(candidateOf(await mapOne({ fields: { username: { from: 'who', default: 'nobody' } } }, { who: '   ' }))).toEqual({
      username: 'nobody',
    });
  });

  it('splits text into trimmed items, dropping empty ones, and maps each item', async () => {
    const result = await mapOne(
      {
        dimensions: [
          { type: 'multi', title: { value: 'Strengths' }, options: { from: 'tags', split: ';', map: { sys: 'systems', ops: 'operations' } } },
          { type: 'multi', title: { value: 'Empty' }, options: { from: 'none', split: ';' } },
        ],
      },
      { tags: ' sys ;; ops;', none: ' ; ' },
    );
    expect(candidateOf(result)).toEqual({ assessment_dimension_list: [{ assessment_type: 4, title: 'Strengths', options: ['systems', 'operations'] }] });
  });

  it('reports where each field came from', async () => {
    const mapper = await compile(
      { fields: { external_id: 'id', username: { value: 'x' }, content: { expr: 'notes' } } },
      { format: 'csv', header: ['id', 'notes'] },
    );
    const result = await mapper.map(row({ id: '1', notes: 'n' }));
    expect(result).toEqual({
      ok: true,
      candidate: { external_id: '1', username: 'x', content: 'n' },
      sources: { external_id: 'column id', content: 'expression notes' },
    });
  });
});
