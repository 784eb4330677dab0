import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { init } from '../../src/commands/init.js';
import { preview } from '../../src/commands/preview.js';
import { UsageError } from '../../src/errors.js';
import { applications } from '../../src/endpoints/applications.js';
import { assessments } from '../../src/endpoints/assessments.js';
import { interviews } from '../../src/endpoints/interviews.js';
import { offers } from '../../src/endpoints/offers.js';
import { talents } from '../../src/endpoints/talents.js';
import { draftMapping } from '../../src/map/init.js';
import { compileMapping, loadMapping } from '../../src/map/mapping.js';
import { openSource } from '../../src/read/source.js';

const quiet = { stderr: () => {}, program: 'hire-import' };

/** Copies a fixture into a fresh folder, so init writes its mapping there. */
function copyOf(fixture: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'map-init-'));
  const path = join(dir, fixture.split('/').at(-1)!);
  copyFileSync(fixture, path);
  return path;
}

/** The draft init writes must load and compile against the very file it came from. */
async function initAndCompile(file: string, endpoint = assessments) {
  const written = await init({ file, endpoint }, quiet);
  const spec = await loadMapping(written.path);
  const source = await openSource({ path: file, encoding: spec.input?.encoding });
  await compileMapping(spec, { program: 'hire-import', endpoint, format: source.format, header: source.header, baseDir: join(written.path, '..') });
  return { written, spec, text: readFileSync(written.path, 'utf8') };
}

describe('init', () => {
  it("never offers an 'updated at' column for an application's modify_time (the API's termination time), and does offer a termination date", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'map-init-'));
    const edited = join(dir, 'edited.csv');
    writeFileSync(edited, '投递编号,人才id,更新时间,修改时间,updated at\nA1,7001,2024-03-01,2024-03-02,2024-03-03\n');
    const { spec } = await initAndCompile(edited, applications);
    expect(Object.keys(spec.fields ?? {})).not.toContain('modify_time');
    const ended = join(dir, 'ended.csv');
    writeFileSync(ended, '投递编号,人才id,终止时间\nA1,7001,2024-03-01\n');
    expect((await initAndCompile(ended, applications)).spec.fields).toMatchObject({ modify_time: '终止时间' });
  });

  it('guesses the Chinese wide export, writes its encoding, and lists the other columns as hints', async () => {
    const file = copyOf('fixtures/legacy/moka-gbk.csv');
    const { written, spec, text } = await initAndCompile(file);
    expect(written).toEqual({ path: file.replace(/\.csv$/, '.mapping.yaml'), fields: 5, dimensions: 0 });
    expect(spec.input).toEqual({ format: 'csv', encoding: 'gb18030', timezone: Intl.DateTimeFormat().resolvedOptions().timeZone });
    expect(spec.fields).toEqual({ external_id: '面评编号', external_interview_id: '面试编号', username: '面试官', conclusion: '面试结论', content: '综合评价' });
    expect(text).toMatch(/^# yaml-language-server: \$schema=.*schema\/mapping\.schema\.json$/m);
    expect(text).toContain(
      [
        '# These columns hold whole numbers: uncomment the ones that are scores.',
        '# dimensions:',
        '#   - { type: score, title: { value: 专业能力 }, answer: 专业能力 }   # e.g. "4", "2", "3", "5", "优秀"',
        '#   - { type: score, title: { value: 沟通能力 }, answer: 沟通能力 }   # e.g. "5", "3", "4", "2"',
        '#   - { type: score, title: { value: 学习能力 }, answer: 学习能力 }   # e.g. "4", "3", "5"',
        '',
        '# Not mapped yet:',
        '#   备注: e.g. "可以进入下一轮", "建议加面", "薪资期望偏高"',
      ].join('\n'),
    );
    // Uncommenting the hints (an editor's toggle removes "# ") gives a mapping that imports the scores.
    const uncommented = text.replace(/^# (dimensions:|  - .*)$/gm, '$1');
    writeFileSync(written.path, uncommented);
    expect((await loadMapping(written.path)).dimensions).toHaveLength(3);
  });

  it('maps a long export’s verdicts it can guess and lists the ones it cannot', async () => {
    const { spec } = await initAndCompile(copyOf('fixtures/legacy/long.csv'));
    expect(spec.fields).toEqual({
      external_id: 'feedback_id',
      external_interview_id: 'interview_id',
      username: 'interviewer',
      conclusion: { from: 'verdict', map: { hire: 2, no_hire: 1, hold: 3 } },
    });
  });

  it('finds nested fields and arrays of rated items in JSON records', async () => {
    const file = copyOf('fixtures/legacy/greenhouse.jsonl');
    const { written, spec, text } = await initAndCompile(file);
    expect(written.dimensions).toBe(2);
    expect(spec.fields).toEqual({
      external_id: 'id',
      external_interview_id: 'application.interview_id',
      username: 'interviewer.name',
      conclusion: { from: 'overall_recommendation', map: { strong_yes: 2, no: 1, no_decision: 3, definitely_not: 1, maybe: 3 } },
      content: 'notes',
    });
    expect(spec.dimensions).toEqual([
      { each: { from: 'scorecard.attributes' }, type: { from: 'type', map: { score: 1 } }, title: 'name', answer: 'rating' },
      {
        each: { from: 'questions' },
        type: { from: 'type', map: { dropdown: 2, 'multiple-select': 4, textarea: 3, 'multiple-choice': 2, text: 3, score: 1 } },
        title: 'question',
        answer: 'answer',
      },
    ]);
    expect(text).toContain('#   scorecard.rating: e.g. "4 - Strong Hire"');
    expect(text).toContain('#   application.id: e.g. "501"');
    // The draft already imports the file, but for the verdict 'maybe', which it guessed as pending.
    let out = '';
    const shown = await preview({ file, mapping: written.path, n: 10, endpoint: assessments }, { program: 'hire-import', stdout: (more) => (out += more), stderr: () => {} });
    expect(shown).toEqual({ shown: 5, invalid: 0 });
    expect(out).toContain('"title": "Which team fits best?",\n      "option": "Platform"');
  });

  it('refuses to overwrite a mapping unless forced', async () => {
    const file = copyOf('fixtures/legacy/long.csv');
    await init({ file, endpoint: assessments }, quiet);
    await expect(init({ file, endpoint: assessments }, quiet)).rejects.toThrow(UsageError);
    await expect(init({ file, force: true, endpoint: assessments }, quiet)).resolves.toMatchObject({ fields: 4 });
  });
});

describe('draftMapping', () => {
  it('keeps the default layout, says external_interview_id is missing, and lists values it could not map', () => {
    const draft = draftMapping(
      {
        format: 'csv',
        name: 'x.csv',
        header: ['id', 'verdict', 'dim1_type', 'dim1_score'],
        records: [{ id: '1', verdict: 'hire' }, { id: '2', verdict: 'lukewarm' }],
      },
      assessments,
    );
    expect(draft.text).toBe(
      [
        '# A starting mapping of x.csv to assessments, written by `hire-import init`: check every line.',
        'input: { format: csv }',
        'fields:',
        '  external_id: id',
        '  conclusion: { from: verdict, map: { hire: 2 } }',
        '  # external_interview_id is required: the Feishu id of the external interview, e.g.',
        '  #   { from: <column>, lookup: <a table under lookups> }',
        'dimensions:',
        '  - omitWhen: empty',
        '    type: { from: dim1_type }',
        '    score: { from: dim1_score }',
        '',
        '# Values to add to a map above (until then, records holding them are invalid):',
        '#   "lukewarm" in fields.conclusion (1 fail, 2 pass, 3 pending)',
        '',
      ].join('\n'),
    );
    expect(draft).toMatchObject({ fields: 2, dimensions: 1 });
  });
});

describe('draftMapping for other resources', () => {
  it('guesses talents from Chinese headers into dotted fields, mapping labels it knows', () => {
    const draft = draftMapping(
      {
        format: 'csv',
        name: 'candidates.csv',
        header: ['候选人编号', '姓名', '邮箱', '手机号码', '性别', '出生日期', '现居地'],
        records: [{ 候选人编号: 'C-1', 姓名: '张伟', 性别: '男', 现居地: '北京' }, { 候选人编号: 'C-2', 姓名: '李娜', 性别: '女士' }],
      },
      talents,
    );
    expect(draft.text).toBe(
      [
        '# A starting mapping of candidates.csv to talents, written by `hire-import init`: check every line.',
        'input: { format: csv }',
        'fields:',
        '  external_id: 候选人编号',
        '  basic_info.name: 姓名',
        '  basic_info.email: 邮箱',
        '  basic_info.mobile: 手机号码',
        '  basic_info.gender: { from: 性别, map: { 男: 1 } }',
        '  basic_info.birthday: 出生日期',
        '',
        '# Not mapped yet:',
        '#   现居地: e.g. "北京"',
        '',
        '# Values to add to a map above (until then, records holding them are invalid):',
        '#   "女士" in fields.basic_info.gender (1 male, 2 female, 3 other)',
        '',
      ].join('\n'),
    );
  });

  it('guesses interviews and offers, and says which required field is missing', () => {
    const interviewDraft = draftMapping({ format: 'csv', name: 'i.csv', header: ['面试编号', '面试时间', '面试结束时间'], records: [] }, interviews);
    expect(interviewDraft.text).toContain(
      [
        'fields:',
        '  external_id: 面试编号',
        '  begin_time: 面试时间',
        '  end_time: 面试结束时间',
        '  # external_application_id is required: the Feishu id of the external application, e.g.',
        '  #   { from: <column>, lookup: <a table under lookups> }',
      ].join('\n'),
    );
    const offerDraft = draftMapping({ format: 'csv', name: 'o.csv', header: ['Offer ID', 'Application ID', '负责人', 'Offer状态'], records: [] }, offers);
    expect(offerDraft.text).toContain(
      ['fields:', '  external_id: Offer ID', '  external_application_id: Application ID', '  owner: 负责人', '  offer_status: Offer状态'].join('\n'),
    );
  });
});

describe('preview', () => {
  it('prints the mapping’s warnings before the bodies', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'map-preview-'));
    writeFileSync(join(dir, 'export.csv'), 'id,interview,notes,extra\nA-1,698,ok,x\n');
    writeFileSync(join(dir, 'm.yaml'), "fields:\n  external_id: id\n  external_interview_id: interview\n  content: { expr: 'note' }\n");
    let err = '';
    let out = '';
    const result = await preview(
      { file: join(dir, 'export.csv'), mapping: join(dir, 'm.yaml'), n: 1, endpoint: assessments },
      { program: 'hire-import', stdout: (text) => (out += text), stderr: (text) => (err += text) },
    );
    expect(result).toEqual({ shown: 1, invalid: 0 });
    expect(err).toBe(
      [
        `warning: ${join(dir, 'm.yaml')}: fields.content.expr: 'note' is not a column of export.csv (did you mean 'notes'?)`,
        'warning: export.csv: no value of the mapping reads the columns notes, extra',
        '1 record shown, 0 invalid; nothing was sent',
        '',
      ].join('\n'),
    );
    expect(out).toBe('line 2:\n{\n  "external_id": "A-1",\n  "external_interview_id": "698"\n}\n\n');
  });

  it('prints the first bodies and the problems, sending nothing', async () => {
    let out = '';
    const result = await preview(
      { file: 'fixtures/legacy/moka-gbk.csv', mapping: 'fixtures/legacy/moka-gbk.mapping.yaml', n: 5, endpoint: assessments },
      { program: 'hire-import', stdout: (text) => (out += text), stderr: () => {} },
    );
    expect(result).toEqual({ shown: 5, invalid: 2 });
    expect(out).toContain('line 2:\n{\n  "external_id": "MK-001",\n  "external_interview_id": "7010000000000001001",');
    expect(out).toContain("line 5: invalid\n  external_interview_id: 'I-9999' is not a key of lookup interviews in interviews.csv (from column 面试编号)\n");
    expect(out).toContain("line 6: invalid\n  assessment_dimension_list[0].score: '优秀' is not an integer (from column 专业能力)\n");
    expect(out).not.toContain('line 7');
  });

  it('groups long files and uses the default layout without a mapping', async () => {
    let out = '';
    const io = { program: 'hire-import', stdout: (text: string) => (out += text), stderr: () => {} };
    expect(await preview({ file: 'fixtures/legacy/long.csv', mapping: 'fixtures/legacy/long.mapping.yaml', n: 2, endpoint: assessments }, io)).toEqual({ shown: 2, invalid: 0 });
    expect(out).toMatch(/^line 5:\n/);
    out = '';
    expect(await preview({ file: 'fixtures/assessments.csv', n: 1, endpoint: assessments }, io)).toEqual({ shown: 1, invalid: 0 });
    expect(JSON.parse(out.slice(out.indexOf('\n')))).toMatchObject({ external_id: 'A-1001', conclusion: 2 });
  });
});
