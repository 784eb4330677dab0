/**
 * The mapping language for every resource: keys checked against each endpoint's description (dotted fields, lists,
 * the `dimensions` shorthand), the default layout per resource, the key each record is logged under, and the
 * warnings about mapping mistakes that would silently drop data.
 */
import { describe, expect, it } from 'vitest';
import { interviews } from '../../src/endpoints/interviews.js';
import { talents } from '../../src/endpoints/talents.js';
import { ConfigError } from '../../src/errors.js';
import { prepare } from '../../src/import/records.js';
import type { MappingSpec } from '../../src/map/mapping.js';
import { checkOne, compile, row } from './map.helpers.js';

const talentHeader = ['候选人编号', '姓名', '邮箱', '出生日期', '学校', '入学时间', '公司', '备注'];
const talentSpec: MappingSpec = {
  input: { timezone: 'Asia/Shanghai' },
  fields: { external_id: '候选人编号', 'basic_info.name': '姓名', 'basic_info.email': { from: '邮箱', trim: true }, 'basic_info.birthday': '出生日期' },
  lists: {
    education_list: [{ school: '学校', start_time: '入学时间' }],
    career_list: [{ company: '公司' }],
  },
};
const talentRow = { 候选人编号: 'C-1', 姓名: '张伟', 邮箱: ' zw@example.com ', 出生日期: '1995-05-04', 学校: '清华大学', 入学时间: '2013/9/1', 公司: '', 备注: '' };

describe('mapping talents: dotted fields and lists', () => {
  const csv = { endpoint: talents, format: 'csv' as const, header: talentHeader, source: 'candidates.csv' };

  it('builds the nested body, leaves out an empty element, and logs the record under its local-only key', async () => {
    const mapper = await compile(talentSpec, csv);
    expect(await prepare(row(talentRow), mapper)).toEqual({
      ok: true,
      body: {
        basic_info: { name: '张伟', email: 'zw@example.com', birthday: String(Date.UTC(1995, 4, 3, 16)) },
        education_list: [{ school: '清华大学', start_time: String(Date.UTC(2013, 7, 31, 16)) }],
      },
      local: { external_id: 'C-1' },
      externalId: 'C-1',
    });
  });

  it('names the nested field and its column when a value is refused', async () => {
    const mapper = await compile(talentSpec, csv);
    expect(await prepare(row({ ...talentRow, 出生日期: '1995-13-01', 姓名: '' }), mapper)).toEqual({
      ok: false,
      problems: [
        { field: 'basic_info.name', reason: 'is required' },
        {
          field: 'basic_info.birthday',
          reason: "'1995-13-01' is not a date (ISO 8601, 2024-03-01 10:30, 2024/3/1, Unix seconds or ms, Excel serial) (from column 出生日期)",
        },
      ],
      externalId: 'C-1',
    });
  });

  it('refuses keys the description does not have, with a did-you-mean and the mapping file', async () => {
    const at = { ...csv, mappingFile: 'talents.yaml' };
    await expect(compile({ fields: { 'basic_info.nmae': '姓名' } }, at)).rejects.toThrow(
      new ConfigError("talents.yaml: fields.basic_info.nmae: not a field of a talent (did you mean 'basic_info.name'?)"),
    );
    await expect(compile({ fields: { 'education_list.school': '学校' } }, at)).rejects.toThrow(
      new ConfigError('talents.yaml: fields.education_list.school: education_list is a list: map its elements under lists.education_list'),
    );
    await expect(compile({ fields: { 'basic_info.name.first': '姓名' } }, at)).rejects.toThrow(
      new ConfigError('talents.yaml: fields.basic_info.name.first: basic_info.name has no fields inside'),
    );
    await expect(compile({ lists: { educaton_list: [] } }, at)).rejects.toThrow(
      new ConfigError("talents.yaml: lists.educaton_list: not a field of a talent (did you mean 'education_list'?)"),
    );
    await expect(compile({ lists: { basic_info: [] } }, at)).rejects.toThrow(new ConfigError('talents.yaml: lists.basic_info: basic_info is not a list'));
    await expect(compile({ lists: { education_list: [{ scool: '学校' }] } }, at)).rejects.toThrow(
      new ConfigError("talents.yaml: lists.education_list[0].scool: not a field of education_list elements (did you mean 'school'?)"),
    );
  });

  it('keeps typed answers to lists that have them', async () => {
    const at = { ...csv, mappingFile: 'talents.yaml' };
    await expect(compile({ dimensions: [] }, at)).rejects.toThrow(
      new ConfigError('talents.yaml: dimensions: talents has no single list with typed answers: name the list under lists'),
    );
    await expect(compile({ lists: { education_list: [{ school: '学校', answer: '公司' }] } }, at)).rejects.toThrow(
      new ConfigError(
        'talents.yaml: lists.education_list[0].answer: the elements of education_list have no typed answer: map their fields by name (school, field_of_study, start_time, end_time)',
      ),
    );
    await expect(compile({ lists: { education_list: [{ school: '学校', omitWhen: 'unanswered' }] } }, at)).rejects.toThrow(
      new ConfigError('talents.yaml: lists.education_list[0].omitWhen: unanswered needs a list with typed answers; education_list has none'),
    );
  });
});

describe('lists with typed answers', () => {
  it('fill the same from `lists` as from the `dimensions` shorthand, `type` standing for assessment_type', async () => {
    const entries = [{ each: { columns: '^(?<title>.+)_score$' }, type: 'score', title: 'title', answer: 'value' }];
    const record = { interview: '698', coding_score: '4', design_score: '5' };
    const context = { format: 'csv' as const, header: Object.keys(record) };
    const byDimensions = await checkOne({ fields: { external_interview_id: 'interview' }, dimensions: entries }, record, context);
    const byLists = await checkOne({ fields: { external_interview_id: 'interview' }, lists: { assessment_dimension_list: entries } }, record, context);
    expect(byLists).toEqual(byDimensions);
    expect(byLists).toEqual({
      ok: true,
      body: {
        external_interview_id: '698',
        assessment_dimension_list: [
          { assessment_type: 1, title: 'coding', score: 4 },
          { assessment_type: 1, title: 'design', score: 5 },
        ],
      },
      local: {},
    });
    await expect(compile({ dimensions: entries, lists: { assessment_dimension_list: entries } }, context)).rejects.toThrow(
      new ConfigError('mapping dimensions: is lists.assessment_dimension_list too: give its entries in one place'),
    );
  });

  it('may name the type field itself, read as a value like any element field', async () => {
    const result = await checkOne({ fields: { external_interview_id: 'i' }, dimensions: [{ assessment_type: 'kind', answer: 'a' }] }, { i: '1', kind: '描述题', a: 'ok' });
    expect(result).toMatchObject({ ok: true, body: { assessment_dimension_list: [{ assessment_type: 3, content: 'ok' }] } });
  });
});

describe('mapping interviews', () => {
  it('fills a list of objects from rows, and takes the milliseconds of JSONata’s $toMillis as they are', async () => {
    const mapper = await compile(
      {
        group: { by: 'id' },
        fields: {
          external_id: 'id',
          external_application_id: 'application',
          begin_time: { expr: "$toMillis(day & 'T' & time & ':00+08:00')" },
          participate_status: 'attended',
        },
        lists: { interview_assessments: [{ each: 'rows', username: 'interviewer', conclusion: 'verdict' }] },
      },
      { endpoint: interviews, format: 'csv', header: ['id', 'application', 'day', 'time', 'attended', 'interviewer', 'verdict'] },
    );
    const rows = [
      { id: 'I-1', application: '8000', day: '2024-03-01', time: '10:30', attended: '参与', interviewer: 'lina', verdict: '通过' },
      { id: 'I-1', application: '8000', day: '2024-03-01', time: '10:30', attended: '参与', interviewer: 'bob', verdict: '' },
    ].map((fields, index) => row(fields, index + 2));
    const record = { ...rows[0]!, rows };
    expect(await prepare(record, mapper)).toEqual({
      ok: true,
      body: {
        external_id: 'I-1',
        external_application_id: '8000',
        participate_status: 2,
        begin_time: Date.UTC(2024, 2, 1, 2, 30),
        interview_assessments: [{ username: 'lina', conclusion: 2 }, { username: 'bob' }],
      },
      local: {},
      externalId: 'I-1',
    });
  });

  it('has no `dimensions`: its assessments are a list of objects', async () => {
    await expect(compile({ dimensions: [] }, { endpoint: interviews })).rejects.toThrow(
      new ConfigError('mapping dimensions: interviews has no single list with typed answers: name the list under lists'),
    );
  });
});

describe('the default layout of every resource', () => {
  it('maps columns named like body field paths, a list of text split on |', async () => {
    const header = ['external_id', 'basic_info.name', 'basic_info.mobile', 'folder_id_list', 'notes'];
    const mapper = await compile(undefined, { endpoint: talents, format: 'csv', header, source: 'talents.csv' });
    expect(mapper.warnings).toEqual(['talents.csv: no value of the mapping reads the column notes']);
    expect(await prepare(row({ external_id: 'C-9', 'basic_info.name': 'Ada', 'basic_info.mobile': '13800000000', folder_id_list: 'a|b', notes: '' }), mapper)).toEqual({
      ok: true,
      body: { basic_info: { name: 'Ada', mobile: '13800000000' }, folder_id_list: ['a', 'b'] },
      local: { external_id: 'C-9', 'basic_info.mobile@dialling_code': '86' },
      externalId: 'C-9',
    });
    const interviewMapper = await compile(undefined, { endpoint: interviews, format: 'csv', header: ['external_application_id', 'begin_time'], source: 'i.csv' });
    expect(await prepare(row({ external_application_id: '8000', begin_time: '1709260200000' }), interviewMapper)).toMatchObject({
      ok: true,
      body: { external_application_id: '8000', begin_time: 1709260200000, external_id: expect.stringMatching(/^hi-[0-9a-f]{16}$/) },
    });
  });

  it('stops at the header when none of its columns is there, naming the init command for the resource', async () => {
    await expect(compile(undefined, { endpoint: talents, format: 'csv', header: ['姓名'], source: 'c.csv', file: 'exports/c.csv' })).rejects.toThrow(
      /^c\.csv has none of the columns of the default layout for talents \(external_id, basic_info\.name, .*\): run `hire-import init exports\/c\.csv --resource talents` to draft a mapping, then pass it with --mapping$/,
    );
  });
});

describe('the key a record is logged under', () => {
  it('is its own, or derived from its content and sent, or for a refused record its own when it has one', async () => {
    const mapper = await compile({ fields: { external_id: 'id', external_interview_id: 'interview', content: 'notes' } });
    expect(await prepare(row({ id: 'A-1', interview: '698' }), mapper)).toEqual({ ok: true, body: { external_id: 'A-1', external_interview_id: '698' }, local: {}, externalId: 'A-1' });
    const derived = await prepare(row({ interview: '698', notes: 'ok' }), mapper);
    if (!derived.ok) throw new Error('expected a valid record');
    expect(derived.externalId).toMatch(/^hi-[0-9a-f]{16}$/);
    expect(derived).toEqual({ ok: true, body: { external_interview_id: '698', content: 'ok', external_id: derived.externalId }, local: {}, externalId: derived.externalId });
    expect(await prepare(row({ interview: '698', notes: 'ok' }), mapper)).toEqual(derived);
    expect(await prepare(row({ id: 7 }), mapper)).toEqual({ ok: false, problems: [{ field: 'external_interview_id', reason: 'is required' }], externalId: '7' });
  });
});

describe('warnings about mapping mistakes', () => {
  const header = ['面评编号', '面试编号', '综合评价', '备注', '沟通能力', '学习能力', '导出时间'];
  const context = { format: 'csv' as const, header, source: 'moka.csv', mappingFile: 'moka.yaml' };

  it('name each pattern alternative and expression name that matches no column, and the columns never read', async () => {
    const mapper = await compile(
      {
        fields: { external_id: '面评编号', external_interview_id: '面试编号', content: { expr: "$join([综合评价, 备住][$ != ''], '\\n')" } },
        dimensions: [{ each: { columns: '^(沟通能力|学习能刀)$' }, type: 'score', title: 'title', answer: 'value', description: { expr: "value & ' / ' & titel" } }],
      },
      context,
    );
    expect(mapper.warnings).toEqual([
      "moka.yaml: fields.content.expr: '备住' is not a column of moka.csv (did you mean '备注'?)",
      "moka.yaml: dimensions[0].each.columns: '学习能刀' matches no column of moka.csv (did you mean '学习能力'?)",
      "moka.yaml: dimensions[0].description.expr: 'titel' is not a key of the elements of dimensions[0].each (did you mean 'title'?)",
      'moka.csv: no value of the mapping reads the columns 备注, 学习能力, 导出时间',
    ]);
  });

  it('are none for a mapping that reads every column, and none about unread columns for one that reads `$`', async () => {
    const mapper = await compile(
      {
        fields: { external_id: '面评编号', external_interview_id: '$record.面试编号', content: { expr: "$join([综合评价, 备注, 导出时间], '\\n')" } },
        dimensions: [{ each: { columns: '^(?<title>沟通|学习)能力$' }, type: 'score', title: 'title', answer: 'value' }],
      },
      context,
    );
    expect(mapper.warnings).toEqual([]);
    const whole = await compile({ fields: { external_id: '面评编号', content: { expr: '$string($)' } } }, context);
    expect(whole.warnings).toEqual([]);
  });
});
